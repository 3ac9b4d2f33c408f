import Glibc

/// Tells the service manager about the daemon's state with the sd_notify protocol (product.md §6).
///
/// The protocol is one `AF_UNIX` datagram of newline-separated `KEY=value` assignments sent to the
/// socket named by `NOTIFY_SOCKET` (sd_notify(3)); systemd documents it as a stable interface and
/// publishes a reference implementation of exactly this. This type sends the datagram itself to an
/// explicit address instead of calling libsystemd's `sd_notify`, because `sd_notify` and `sd_pid_notify`
/// only read the address from the process environment: bootstrap reads the environment once and passes
/// the value in, and tests each point a notifier at their own socket in parallel, which `setenv` (process
/// wide) cannot do. Absolute paths and abstract names (`@name`) are supported; other address families
/// (`vsock:`, as used by VMs) are rejected at construction.
///
/// Sends use `MSG_DONTWAIT`: systemd drains its notify socket promptly, and a full queue surfaces as an
/// error for the caller to log instead of a blocked cooperative thread. With no socket configured every
/// call is a no-op, so the daemon runs the same under a terminal.
package struct SystemdNotifier: Sendable {
    /// A notify socket address.
    package enum Address: Sendable, Equatable {
        /// A socket file, e.g. `/run/systemd/notify`.
        case path(String)
        /// A Linux abstract socket, written `@name` in `NOTIFY_SOCKET`; `name` excludes the `@`.
        case abstract(String)
    }

    /// Where datagrams go; nil when the daemon is not run by a service manager.
    package let address: Address?
    /// How often the service manager expects `WATCHDOG=1`; nil when the watchdog is off or meant for
    /// another process. Ping at half this interval, as sd_watchdog_enabled(3) advises.
    package let watchdogInterval: Duration?

    /// A notifier for `socket` (the value of `NOTIFY_SOCKET`); nil or empty means disabled.
    package init(socket: String?, watchdogInterval: Duration? = nil) throws(SystemdNotifierError) {
        self.address = try Self.parseAddress(socket)
        self.watchdogInterval = watchdogInterval
    }

    /// A notifier configured from `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` in `environment`.
    package init(environment: [String: String], pid: Int32 = getpid()) throws(SystemdNotifierError) {
        try self.init(
            socket: environment["NOTIFY_SOCKET"],
            watchdogInterval: Self.watchdogInterval(environment: environment, pid: pid))
    }

    /// Whether calls send anything.
    package var isEnabled: Bool { address != nil }

    /// `READY=1`: startup finished (configuration and state loaded), or a reload finished.
    package func ready(status: String? = nil) throws(SystemCallError) {
        try send(["READY=1"] + statusLine(status))
    }

    /// `STATUS=…`: the one-line summary `systemctl status` shows.
    package func status(_ text: String) throws(SystemCallError) {
        try send(statusLine(text))
    }

    /// `WATCHDOG=1`: the scheduling loop is alive.
    package func watchdog() throws(SystemCallError) {
        try send(["WATCHDOG=1"])
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=`, which systemd 253 and later require for `Type=notify-reload`
    /// and older versions ignore. Follow with `ready()` when the reload is done.
    package func reloading(
        status: String? = nil, monotonicMicroseconds: UInt64 = SystemdNotifier.monotonicMicroseconds()
    ) throws(SystemCallError) {
        try send(["RELOADING=1", "MONOTONIC_USEC=\(monotonicMicroseconds)"] + statusLine(status))
    }

    /// `STOPPING=1`: shutdown has begun.
    package func stopping(status: String? = nil) throws(SystemCallError) {
        try send(["STOPPING=1"] + statusLine(status))
    }

    /// Sends `assignments` joined by newlines as one datagram; does nothing when disabled.
    package func send(_ assignments: [String]) throws(SystemCallError) {
        guard let address else { return }
        let message = Array(assignments.joined(separator: "\n").utf8)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .current("socket", path: address.display) }
        defer { close(fd) }
        var storage = sockaddr_un()
        let length = address.fill(&storage)
        let sent = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                message.withUnsafeBytes { bytes in
                    sendto(
                        fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), sockaddrPointer,
                        length)
                }
            }
        }
        guard sent >= 0 else { throw .current("sendto", path: address.display) }
    }

    /// `CLOCK_MONOTONIC` in microseconds, the clock `MONOTONIC_USEC=` is measured on.
    package static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    /// The watchdog interval from `WATCHDOG_USEC`, or nil when it is absent, not a positive integer, or
    /// `WATCHDOG_PID` names another process (the variable was inherited, not meant for us).
    package static func watchdogInterval(environment: [String: String], pid: Int32) -> Duration? {
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        guard let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 else { return nil }
        return .microseconds(usec)
    }

    private static func parseAddress(_ socket: String?) throws(SystemdNotifierError) -> Address? {
        guard let socket, !socket.isEmpty else { return nil }
        let address: Address
        if socket.hasPrefix("/") {
            address = .path(socket)
        } else if socket.hasPrefix("@"), socket.utf8.count > 1 {
            address = .abstract(String(socket.dropFirst()))
        } else {
            throw .unsupportedAddress(socket)
        }
        // sun_path holds 108 bytes; a path needs its terminating NUL, an abstract name its leading one.
        guard socket.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else {
            throw .addressTooLong(socket)
        }
        return address
    }

    private func statusLine(_ status: String?) -> [String] {
        guard let status else { return [] }
        // One assignment per line: a newline inside STATUS would start a bogus assignment.
        let oneLine = status.split(whereSeparator: \.isNewline).joined(separator: " ")
        return ["STATUS=\(oneLine)"]
    }
}

/// Why a `NOTIFY_SOCKET` value cannot be used.
package enum SystemdNotifierError: Error, Equatable, CustomStringConvertible {
    /// Neither an absolute path nor `@name` (e.g. `vsock:…`).
    case unsupportedAddress(String)
    /// Longer than `sockaddr_un` can hold.
    case addressTooLong(String)

    package var description: String {
        switch self {
        case .unsupportedAddress(let value):
            "NOTIFY_SOCKET=\(value): only absolute paths and @abstract names are supported"
        case .addressTooLong(let value): "NOTIFY_SOCKET=\(value): longer than a unix socket address allows"
        }
    }
}

extension SystemdNotifier.Address {
    fileprivate var display: String {
        switch self {
        case .path(let path): path
        case .abstract(let name): "@" + name
        }
    }

    /// Writes the address into `storage` and returns the length to pass to `sendto`.
    fileprivate func fill(_ storage: inout sockaddr_un) -> socklen_t {
        storage.sun_family = sa_family_t(AF_UNIX)
        let bytes: [UInt8]
        switch self {
        case .path(let path): bytes = Array(path.utf8) + [0]
        case .abstract(let name): bytes = [0] + Array(name.utf8)
        }
        withUnsafeMutableBytes(of: &storage.sun_path) { sunPath in
            sunPath.copyBytes(from: bytes.prefix(sunPath.count))
        }
        // For abstract names the length delimits the name (no terminating NUL, no padding).
        return socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count)
    }
}
