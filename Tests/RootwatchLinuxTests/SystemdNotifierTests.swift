import Foundation
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// The exact sd_notify datagrams, received on a socket each test binds itself (no `setenv`).
@Suite struct SystemdNotifierTests {
    @Test func sendsTheLifecycleDatagramsToASocketPath() throws {
        let directory = try TemporaryDirectory()
        let receiver = try DatagramReceiver(path: directory.file("notify"))
        let notifier = try SystemdNotifier(socket: receiver.address)
        #expect(notifier.isEnabled)

        try notifier.ready(status: "3 accounts, 0 failing, next scan 10:15:00Z")
        #expect(try receiver.receive() == "READY=1\nSTATUS=3 accounts, 0 failing, next scan 10:15:00Z")
        try notifier.ready()
        #expect(try receiver.receive() == "READY=1")
        try notifier.status("scanning\nprod")
        #expect(try receiver.receive() == "STATUS=scanning prod", "a newline would start a bogus assignment")
        try notifier.watchdog()
        #expect(try receiver.receive() == "WATCHDOG=1")
        try notifier.reloading(status: "reloading configuration", monotonicMicroseconds: 123_456_789)
        #expect(try receiver.receive() == "RELOADING=1\nMONOTONIC_USEC=123456789\nSTATUS=reloading configuration")
        try notifier.stopping()
        #expect(try receiver.receive() == "STOPPING=1")
        #expect(!receiver.hasPending())
    }

    @Test func reloadingCarriesTheCurrentMonotonicTime() throws {
        let directory = try TemporaryDirectory()
        let receiver = try DatagramReceiver(path: directory.file("notify"))
        let notifier = try SystemdNotifier(socket: receiver.address)

        let before = SystemdNotifier.monotonicMicroseconds()
        try notifier.reloading()
        let after = SystemdNotifier.monotonicMicroseconds()
        let lines = try receiver.receive().split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let value = try #require(lines.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
        #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
        #expect(before <= value && value <= after)
    }

    @Test func sendsToAnAbstractSocket() throws {
        let receiver = try DatagramReceiver(abstractName: "rootwatch-test-\(UUID().uuidString)")
        let notifier = try SystemdNotifier(socket: receiver.address)
        #expect(notifier.address == .abstract(String(receiver.address.dropFirst())))
        try notifier.ready(status: "ok")
        #expect(try receiver.receive() == "READY=1\nSTATUS=ok")
    }

    @Test func readsTheEnvironmentPassedIn() throws {
        let directory = try TemporaryDirectory()
        let receiver = try DatagramReceiver(path: directory.file("notify"))
        let notifier = try SystemdNotifier(
            environment: ["NOTIFY_SOCKET": receiver.address, "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"],
            pid: 4242)
        #expect(notifier.watchdogInterval == .seconds(30))
        try notifier.watchdog()
        #expect(try receiver.receive() == "WATCHDOG=1")
    }

    @Test func withoutASocketEveryCallIsANoOp() throws {
        for notifier in [try SystemdNotifier(socket: nil), try SystemdNotifier(environment: [:])] {
            #expect(!notifier.isEnabled)
            #expect(notifier.watchdogInterval == nil)
            try notifier.ready(status: "x")
            try notifier.status("x")
            try notifier.watchdog()
            try notifier.reloading()
            try notifier.stopping()
        }
        #expect(try !SystemdNotifier(socket: "").isEnabled)
    }

    @Test(arguments: ["vsock:2:1234", "run/systemd/notify", "@", "/" + String(repeating: "x", count: 120)])
    func rejectsAddressesItCannotUse(socket: String) {
        #expect(throws: SystemdNotifierError.self) { try SystemdNotifier(socket: socket) }
    }

    @Test func aMissingListenerIsAnError() throws {
        let directory = try TemporaryDirectory()
        let notifier = try SystemdNotifier(socket: directory.file("nobody"))
        #expect(throws: SystemCallError("sendto", path: directory.file("nobody"), errno: ENOENT)) {
            try notifier.ready()
        }
    }

    /// WATCHDOG_USEC is honoured only when positive and, with WATCHDOG_PID, only for our own pid.
    @Test(arguments: [
        (["WATCHDOG_USEC": "20000000"], Duration?.some(.seconds(20))),
        (["WATCHDOG_USEC": "1500", "WATCHDOG_PID": "77"], .some(.microseconds(1500))),
        (["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "78"], nil),  // inherited from a parent service
        (["WATCHDOG_USEC": "0"], nil),
        (["WATCHDOG_USEC": "-5"], nil),
        (["WATCHDOG_USEC": "soon"], nil),
        ([:], nil),
    ])
    func watchdogInterval(environment: [String: String], expected: Duration?) {
        #expect(SystemdNotifier.watchdogInterval(environment: environment, pid: 77) == expected)
    }
}
