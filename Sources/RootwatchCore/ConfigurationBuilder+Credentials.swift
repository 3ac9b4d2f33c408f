/// `[credentials NAME]` sections and secret resolution: secrets are read at load time, so a missing
/// secret file is a configuration error at start (and in `check-config`), not a failed scan hours later.
extension ConfigurationBuilder {
    /// The keys that name a secret, in the order an error lists them.
    struct SecretKeys {
        var file: String
        var credential: String
        var inline: String

        static let accessKey = SecretKeys(
            file: "access_key_secret_file", credential: "access_key_secret_credential", inline: "access_key_secret")
        static let webhook = SecretKeys(file: "secret_file", credential: "secret_credential", inline: "secret")

        var all: [String] { [file, credential, inline] }
    }

    /// The environment variables of `source = environment`.
    enum EnvironmentName {
        static let accessKeyID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
        static let accessKeySecret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
        static let securityToken = "ALIBABA_CLOUD_SECURITY_TOKEN"
    }

    func buildCredentials(_ section: MergedSection) -> CredentialsConfiguration? {
        let source = section.entry("source")?.value
        let allowed: Set<String>
        switch source {
        case nil: allowed = Set(["access_key_id"] + SecretKeys.accessKey.all)
        case "environment": allowed = ["source"]
        case "ecs-ram-role": allowed = ["source", "ram_role_name"]
        case "cli-profile": allowed = ["source", "profile", "cli_config"]
        case let other?:
            fail(section, "source", "\(quoted(other)) is not environment, ecs-ram-role or cli-profile")
            return nil
        }
        let extra = section.values.values.filter { !$0.value.isEmpty && !allowed.contains($0.key) }
        for entry in extra.sorted(by: { $0.line < $1.line }) {
            let context = source.map { "source = \($0)" } ?? "an AccessKey (no source)"
            fail(section, entry.key, "not used with \(context)")
        }
        guard extra.isEmpty else { return nil }

        switch source {
        case "environment":
            return environmentCredentials(section)
        case "ecs-ram-role":
            let role = section.entry("ram_role_name")?.value
            if let role, !Self.matches(role, extra: "._-", length: 1...64) {
                fail(section, "ram_role_name", "\(quoted(role)) is not a RAM role name")
                return nil
            }
            return CredentialsConfiguration(name: section.name, source: .ecsRAMRole(roleName: role))
        case "cli-profile":
            return cliProfileCredentials(section)
        default:
            return accessKeyCredentials(section)
        }
    }

    private func accessKeyCredentials(_ section: MergedSection) -> CredentialsConfiguration? {
        guard let idEntry = section.entry("access_key_id") else {
            fail(section, "access_key_id", "missing (or set source = environment, ecs-ram-role or cli-profile)")
            return nil
        }
        guard Self.isAccessKeyID(idEntry.value) else {
            fail(section, "access_key_id", "is not an AccessKey ID (8 to 128 letters, digits and dots)")
            return nil
        }
        guard case .found(let secret, let origin) = secret(section, keys: .accessKey, required: true) else {
            return nil
        }
        return CredentialsConfiguration(
            name: section.name, source: .accessKey(id: idEntry.value, secret: secret, origin: origin))
    }

    private func environmentCredentials(_ section: MergedSection) -> CredentialsConfiguration? {
        guard resolveSecrets else {
            return CredentialsConfiguration(
                name: section.name, source: .environment(id: "(environment)", secret: Secret(""), securityToken: nil))
        }
        guard let id = environment[EnvironmentName.accessKeyID], !id.isEmpty else {
            fail(section, "source", "environment: \(EnvironmentName.accessKeyID) is not set")
            return nil
        }
        guard Self.isAccessKeyID(id) else {
            fail(section, "source", "environment: \(EnvironmentName.accessKeyID) is not an AccessKey ID")
            return nil
        }
        guard let secret = environment[EnvironmentName.accessKeySecret], !secret.isEmpty else {
            fail(section, "source", "environment: \(EnvironmentName.accessKeySecret) is not set")
            return nil
        }
        let token = environment[EnvironmentName.securityToken].flatMap { $0.isEmpty ? nil : Secret($0) }
        return CredentialsConfiguration(
            name: section.name, source: .environment(id: id, secret: Secret(secret), securityToken: token))
    }

    private func cliProfileCredentials(_ section: MergedSection) -> CredentialsConfiguration? {
        let profile = section.entry("profile")?.value
        let configFile: String
        if section.entry("cli_config") != nil {
            guard let path = path(section, "cli_config") else { return nil }
            configFile = path
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            configFile = home + "/.aliyun/config.json"
        } else {
            fail(section, "cli_config", "missing ($HOME is not set, so the aliyun CLI's config.json is unknown)")
            return nil
        }
        do {
            _ = try fileSystem.contents(ofFile: configFile)
        } catch {
            fail(section, "cli_config", "cannot read \(configFile): \(error.reason)")
            return nil
        }
        return CredentialsConfiguration(
            name: section.name, source: .cliProfile(profile: profile, configFile: configFile))
    }

    /// What a section's secret keys came to.
    enum SecretLookup {
        case found(Secret, SecretOrigin)
        /// No secret key set, and none required.
        case absent
        /// An error was recorded.
        case invalid
    }

    /// Reads the one secret a section names through `keys`.
    func secret(_ section: MergedSection, keys: SecretKeys, required: Bool) -> SecretLookup {
        let present = keys.all.filter { section.entry($0) != nil }
        guard present.count <= 1 else {
            fail(section, present[1], "set only one of \(keys.file), \(keys.credential) or \(keys.inline)")
            return .invalid
        }
        guard let key = present.first, let entry = section.entry(key) else {
            if required {
                fail(section, nil, "no secret: set \(keys.file), \(keys.credential) or \(keys.inline)")
                return .invalid
            }
            return .absent
        }
        switch key {
        case keys.file:
            guard let path = path(section, key) else { return .invalid }
            guard resolveSecrets else { return .found(Secret(""), .file(path: path)) }
            guard let secret = readSecret(section, key, path: path) else { return .invalid }
            return .found(secret, .file(path: path))
        case keys.credential:
            guard Self.isName(entry.value) else {
                fail(section, key, "\(quoted(entry.value)) is not a credential name")
                return .invalid
            }
            guard resolveSecrets else { return .found(Secret(""), .credential(name: entry.value)) }
            guard let directory = credentialsDirectory, !directory.isEmpty else {
                fail(section, key, "$CREDENTIALS_DIRECTORY is not set (use LoadCredential= in the unit)")
                return .invalid
            }
            // The shipped unit loads /etc/rootwatchd/secrets/ as one directory credential, which systemd
            // names `secret_<file>`; accept the plain name there too.
            let names = (try? fileSystem.entries(ofDirectory: directory)) ?? nil
            let name =
                names.map { !$0.contains(entry.value) && $0.contains("secret_" + entry.value) } == true
                ? "secret_" + entry.value : entry.value
            let path = directory + "/" + name
            guard let secret = readSecret(section, key, path: path) else { return .invalid }
            return .found(secret, .credential(name: entry.value))
        default:
            let mode: UInt32
            do {
                mode = try fileSystem.permissions(ofFile: entry.file)
            } catch {
                fail(section, key, "cannot check the permissions of \(entry.file): \(error.reason)")
                return .invalid
            }
            guard mode & 0o077 == 0 else {
                fail(
                    section, key,
                    "secret inline in a file readable by others: chmod 600 \(entry.file) or use \(keys.file)")
                return .invalid
            }
            return .found(Secret(entry.value), .inline)
        }
    }

    /// A secret file's content without its trailing newline; errors name the path, never the content.
    private func readSecret(_ section: MergedSection, _ key: String, path: String) -> Secret? {
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.contents(ofFile: path)
        } catch {
            fail(section, key, "cannot read \(path): \(error.reason)")
            return nil
        }
        guard var text = String(validating: bytes, as: UTF8.self) else {
            fail(section, key, "\(path) is not UTF-8 text")
            return nil
        }
        if text.last?.isNewline == true { text.removeLast() }
        guard !text.isEmpty else {
            fail(section, key, "\(path) is empty")
            return nil
        }
        guard !text.contains(where: \.isNewline) else {
            fail(section, key, "\(path) has more than one line")
            return nil
        }
        return Secret(text)
    }

    /// 8 to 128 ASCII letters, digits and dots (`LTAI…`, or `STS.…` for temporary keys).
    static func isAccessKeyID(_ text: String) -> Bool {
        matches(text, extra: ".", length: 8...128)
    }
}
