import Foundation
import RootwatchCore
import RootwatchLinux
import Testing

/// A private temporary directory, removed when the test ends.
private struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("rootwatchd-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relativePath: String, _ text: String, mode: Int = 0o644) throws {
        let file = path + "/" + relativePath
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
    }
}

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../RootwatchCoreTests/Fixtures/config").standardized

@Suite struct ConfigurationFilesTests {
    @Test func loadsMainFileAndDropInsFromDisk() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.removeItem(atPath: directory.path)
        try FileManager.default.copyItem(
            atPath: fixtures.appendingPathComponent("good/dropins").path, toPath: directory.path)
        let secret = directory.path + "/main.secret"
        try directory.write("main.secret", "DiskSecretValue\n", mode: 0o600)
        // The fixture names /etc/rootwatchd/secrets/main; point it at the temporary secret instead.
        let main = directory.path + "/rootwatchd.conf"
        let text = try String(contentsOfFile: main, encoding: .utf8)
        try directory.write("rootwatchd.conf", text.replacing("/etc/rootwatchd/secrets/main", with: secret))

        let config = try ConfigurationLoader.local(environment: [:]).load(mainFile: main)
        #expect(config.files == [main, main + ".d/10-a.conf", main + ".d/20-b.conf"])
        #expect(config.daemon.interval == .seconds(30 * 60))
        #expect(config.account(named: "prod")?.window == .seconds(3 * 86_400))
        #expect(
            config.credentials.first?.source
                == .accessKey(
                    id: "LTAI5tExampleKeyabcd", secret: Secret("DiskSecretValue"), origin: .file(path: secret)))
    }

    @Test func inlineSecretNeedsAPrivateFile() throws {
        let directory = try TemporaryDirectory()
        let text =
            "[credentials main]\naccess_key_id = LTAI5tExampleKeyabcd\naccess_key_secret = InlineOnDisk\n"
            + "[account prod]\ncredentials = main\n"
        let main = directory.path + "/rootwatchd.conf"
        try directory.write("rootwatchd.conf", text, mode: 0o644)
        let loader = ConfigurationLoader.local(environment: [:])
        let error = #expect(throws: ConfigurationError.self) { try loader.load(mainFile: main) }
        #expect(
            error?.description
                == "\(main): [credentials main] access_key_secret: secret inline in a file readable by others: "
                + "chmod 600 \(main) or use access_key_secret_file")

        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: main)
        #expect(throws: ConfigurationError.self) { try loader.load(mainFile: main) }

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: main)
        let config = try loader.load(mainFile: main)
        #expect(
            config.credentials.first?.source
                == .accessKey(id: "LTAI5tExampleKeyabcd", secret: Secret("InlineOnDisk"), origin: .inline))
    }

    @Test func secretFromCredentialsDirectoryInTheEnvironment() throws {
        let directory = try TemporaryDirectory()
        try directory.write("credentials/ops", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", mode: 0o400)
        try directory.write("secrets/main", "MainFromDisk\n", mode: 0o600)
        let text = """
            [credentials main]
            access_key_id = LTAI5tExampleKeyabcd
            access_key_secret_file = \(directory.path)/secrets/main

            [account prod]
            credentials = main

            [webhook ops]
            url = http://127.0.0.1:8080/hook
            secret_credential = ops

            """
        try directory.write("rootwatchd.conf", text)
        let loader = ConfigurationLoader.local(environment: ["CREDENTIALS_DIRECTORY": directory.path + "/credentials"])
        let webhook = try loader.load(mainFile: directory.path + "/rootwatchd.conf").webhooks.first
        #expect(webhook?.secret == Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        #expect(webhook?.secretOrigin == .credential(name: "ops"))
    }

    @Test func readErrorsCarryTheSystemReason() throws {
        let directory = try TemporaryDirectory()
        let files = LocalConfigurationFiles()
        #expect(throws: FileAccessError("No such file or directory")) {
            try files.contents(ofFile: directory.path + "/absent")
        }
        #expect(throws: FileAccessError("Is a directory")) { try files.contents(ofFile: directory.path) }
        #expect(try files.entries(ofDirectory: directory.path + "/absent") == nil)

        try directory.write("a.conf", "x", mode: 0o640)
        try directory.write("b", "y")
        #expect(try files.entries(ofDirectory: directory.path).map { Set($0) } == ["a.conf", "b"])
        #expect(try files.permissions(ofFile: directory.path + "/a.conf") == 0o640)
        #expect(try files.contents(ofFile: directory.path + "/a.conf") == Array("x".utf8))

        let main = directory.path + "/rootwatchd.conf"
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.local(environment: [:]).load(mainFile: main)
        }
        #expect(error?.description == "\(main): cannot read: No such file or directory")
    }

    @Test func refusesOversizedFiles() throws {
        let directory = try TemporaryDirectory()
        try directory.write("big", String(repeating: "x", count: LocalConfigurationFiles.maximumFileSize + 1))
        #expect(throws: FileAccessError("larger than 1024 KiB")) {
            try LocalConfigurationFiles().contents(ofFile: directory.path + "/big")
        }
    }
}
