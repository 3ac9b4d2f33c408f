import Foundation
import RootwatchCore

/// An in-memory file system for configuration tests: paths map to bytes, modes default to 0644.
struct MemoryFiles: ConfigurationFileSystem {
    var files: [String: [UInt8]] = [:]
    var modes: [String: UInt32] = [:]

    /// The main file's path in every test, so expected errors read like the documented ones.
    static let mainFile = "/etc/rootwatchd/rootwatchd.conf"
    static let mainSecret = "MainSecretValue0123456789"
    /// The Standard Webhooks test-vector secret (24 bytes).
    static let webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let plainSecret = "plainpassword"

    /// The secret files the fixtures refer to, each with the trailing newline editors add.
    static func withSecrets() -> MemoryFiles {
        var files = MemoryFiles()
        files["/etc/rootwatchd/secrets/main"] = mainSecret + "\n"
        files["/etc/rootwatchd/secrets/ops"] = webhookSecret + "\n"
        files["/etc/rootwatchd/secrets/plain"] = plainSecret + "\n"
        return files
    }

    subscript(path: String) -> String? {
        get { files[path].map { String(decoding: $0, as: UTF8.self) } }
        set { files[path] = newValue.map { Array($0.utf8) } }
    }

    func contents(ofFile path: String) throws(FileAccessError) -> [UInt8] {
        guard let bytes = files[path] else { throw FileAccessError("No such file or directory") }
        return bytes
    }

    func entries(ofDirectory path: String) throws(FileAccessError) -> [String]? {
        let prefix = path + "/"
        let names = files.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            .filter { !$0.contains("/") }
        return names.isEmpty ? nil : names
    }

    func permissions(ofFile path: String) throws(FileAccessError) -> UInt32 {
        guard files[path] != nil else { throw FileAccessError("No such file or directory") }
        return modes[path] ?? 0o644
    }

    /// Loads `text` as the main file.
    func load(
        _ text: String, environment: [String: String] = [:], credentialsDirectory: String? = nil
    ) throws(ConfigurationError) -> Configuration {
        var files = self
        files[Self.mainFile] = text
        return try ConfigurationLoader(
            fileSystem: files, environment: environment, credentialsDirectory: credentialsDirectory
        ).load(mainFile: Self.mainFile)
    }
}

/// Test fixtures under `Fixtures/config`.
enum ConfigFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/config")

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// Every regular file under the fixture directory `relativePath`, keyed by `mountPoint` + its
    /// relative path, so a fixture tree can stand in for `/etc/rootwatchd`.
    static func tree(_ relativePath: String, mountedAt mountPoint: String) throws -> [String: [UInt8]] {
        let base = root.appendingPathComponent(relativePath)
        var files: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: base.path)
        while let relative = enumerator?.nextObject() as? String {
            let url = base.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[mountPoint + "/" + relative] = Array(try Data(contentsOf: url))
            }
        }
        return files
    }
}
