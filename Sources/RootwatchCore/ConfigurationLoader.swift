/// Reads the main configuration file and its drop-ins, validates them and resolves secrets into a
/// `Configuration` (product.md §3).
///
/// The loader is pure apart from its `ConfigurationFileSystem`: the environment (for
/// `source = environment`) and the systemd credentials directory are passed in, never read here.
package struct ConfigurationLoader: Sendable {
    package var fileSystem: any ConfigurationFileSystem
    /// The process environment, for `source = environment` and `$HOME` (the aliyun CLI's config).
    package var environment: [String: String]
    /// `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`); nil when not running with credentials.
    package var credentialsDirectory: String?
    /// False for readers that need no secret (`status`): secrets are named but not read, so the
    /// configuration loads outside the service too, where only the service can read its credentials.
    package var resolveSecrets: Bool

    package init(
        fileSystem: any ConfigurationFileSystem,
        environment: [String: String] = [:],
        credentialsDirectory: String? = nil,
        resolveSecrets: Bool = true
    ) {
        self.fileSystem = fileSystem
        self.environment = environment
        self.credentialsDirectory = credentialsDirectory
        self.resolveSecrets = resolveSecrets
    }

    /// The drop-in directory of a main file: `rootwatchd.conf` → `rootwatchd.conf.d`.
    package static func dropInDirectory(of mainFile: String) -> String { mainFile + ".d" }

    /// Loads `mainFile` then every `*.conf` in its drop-in directory in lexical order; throws the first
    /// problem in file order (what the daemon reports at start and on reload).
    package func load(mainFile: String) throws(ConfigurationError) -> Configuration {
        do {
            return try loadReportingAll(mainFile: mainFile)
        } catch {
            throw error.errors[0]
        }
    }

    /// Like `load(mainFile:)`, but reports every problem found (what `check-config` prints). A syntax
    /// error stops validation of the values (they would only repeat it), not the other files' syntax.
    package func loadReportingAll(mainFile: String) throws(ConfigurationErrors) -> Configuration {
        var files = [mainFile]
        var errors: [ConfigurationError] = []
        let directory = Self.dropInDirectory(of: mainFile)
        do {
            if let names = try fileSystem.entries(ofDirectory: directory) {
                files += Self.dropInNames(names).map { directory + "/" + $0 }
            }
        } catch {
            errors.append(ConfigurationError(file: directory, reason: "cannot list directory: \(error.reason)"))
        }

        var documents: [INIDocument] = []
        for file in files {
            do {
                let bytes = try readConfigurationFile(file)
                documents.append(try INIDocument.parse(bytes, file: file))
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }

        let builder = ConfigurationBuilder(
            files: files, fileSystem: fileSystem, environment: environment,
            credentialsDirectory: credentialsDirectory, resolveSecrets: resolveSecrets)
        if let configuration = builder.build(documents), builder.errors.isEmpty {
            return configuration
        }
        throw ConfigurationErrors(builder.sortedErrors())
    }

    /// `*.conf` names, hidden files excluded, in byte order (the order `ls` uses in the C locale).
    package static func dropInNames(_ names: [String]) -> [String] {
        names.filter { $0.hasSuffix(".conf") && !$0.hasPrefix(".") && $0 != ".conf" }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private func readConfigurationFile(_ file: String) throws(ConfigurationError) -> [UInt8] {
        do {
            return try fileSystem.contents(ofFile: file)
        } catch {
            throw ConfigurationError(file: file, reason: "cannot read: \(error.reason)")
        }
    }
}
