import Glibc
import RootwatchCore

/// Reads configuration, drop-in and secret files from the local file system for `ConfigurationLoader`.
///
/// Plain POSIX calls so errors carry the `strerror` text an operator expects (`No such file or
/// directory`, `Permission denied`); file content is never part of an error.
package struct LocalConfigurationFiles: ConfigurationFileSystem {
    /// Configuration, secret and CA files are small; anything bigger is a mistake (a wrong path).
    package static let maximumFileSize = 1 << 20

    package init() {}

    package func contents(ofFile path: String) throws(FileAccessError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { throw Self.lastError() }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.lastError() }
        guard status.st_mode & S_IFMT != S_IFDIR else { throw FileAccessError("Is a directory") }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.lastError()
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
            guard bytes.count <= Self.maximumFileSize else {
                throw FileAccessError("larger than \(Self.maximumFileSize / 1024) KiB")
            }
        }
    }

    package func entries(ofDirectory path: String) throws(FileAccessError) -> [String]? {
        guard let directory = opendir(path) else {
            if errno == ENOENT { return nil }
            throw Self.lastError()
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    package func permissions(ofFile path: String) throws(FileAccessError) -> UInt32 {
        var status = stat()
        guard stat(path, &status) == 0 else { throw Self.lastError() }
        return UInt32(status.st_mode) & 0o7777
    }

    private static func lastError() -> FileAccessError {
        FileAccessError(String(cString: strerror(errno)))
    }
}

extension ConfigurationLoader {
    /// A loader for this machine: the local file system, the process environment, and
    /// `$CREDENTIALS_DIRECTORY` from that environment (set by systemd's `LoadCredential=`).
    package static func local(environment: [String: String]) -> ConfigurationLoader {
        ConfigurationLoader(
            fileSystem: LocalConfigurationFiles(), environment: environment,
            credentialsDirectory: environment["CREDENTIALS_DIRECTORY"])
    }
}
