import Foundation

/// A fresh directory under the system temporary directory, removed with everything in it on deinit.
package final class TemporaryDirectory: Sendable {
    /// The directory's absolute path, without a trailing slash.
    package let path: String

    /// Creates the directory; `prefix` names it for whoever finds a leftover.
    package init(prefix: String = "rootwatch-test") throws {
        var template = Array("\(NSTemporaryDirectory())/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard created else { throw CocoaError(.fileWriteUnknown) }
        let bytes = template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        path = URL(fileURLWithPath: String(decoding: bytes, as: UTF8.self)).standardizedFileURL.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `path/name`.
    package func file(_ name: String) -> String { "\(path)/\(name)" }

    /// The names in the directory, sorted.
    package func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}
