import Foundation

/// A bound `AF_UNIX` datagram socket that stands in for systemd's notify socket (or any datagram
/// listener) in tests.
///
/// Receives use `SO_RCVTIMEO`, so a missing datagram fails the test after the timeout instead of
/// blocking a cooperative thread forever; datagrams a test waits for are normally already queued.
package final class DatagramReceiver: Sendable {
    /// A receive that saw no datagram before the timeout.
    package struct Timeout: Error {}

    /// The address to hand to the sender: the socket path, or `@name` for an abstract socket.
    package let address: String
    private let fd: Int32

    /// Binds a socket file at `path` (which must not exist yet).
    package convenience init(path: String, timeout: Duration = .seconds(5)) throws {
        try self.init(address: path, name: Array(path.utf8) + [0], timeout: timeout)
    }

    /// Binds the abstract socket `@name`.
    package convenience init(abstractName name: String, timeout: Duration = .seconds(5)) throws {
        try self.init(address: "@" + name, name: [0] + Array(name.utf8), timeout: timeout)
    }

    private init(address: String, name: [UInt8], timeout: Duration) throws {
        self.address = address
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: name) }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + name.count)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        let seconds = timeout.components.seconds
        var interval = timeval(tv_sec: Int(seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        let configured = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        guard bound == 0, configured == 0 else {
            let error = errno
            close(fd)
            throw POSIXError(.init(rawValue: error) ?? .EIO)
        }
    }

    deinit {
        close(fd)
        if !address.hasPrefix("@") { unlink(address) }
    }

    /// The next datagram as text; throws `Timeout` when none arrives in time.
    package func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return String(decoding: buffer[0..<count], as: UTF8.self) }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw Timeout() }
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
    }

    /// Whether a datagram is waiting, without consuming it.
    package func hasPending() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) >= 0
    }
}
