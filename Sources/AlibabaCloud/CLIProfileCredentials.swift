/// Reads a profile from the aliyun CLI's `config.json` and says how to obtain its credential.
///
/// Pure: the caller reads the file and passes its bytes, so the composition root owns file access
/// (and the file's path is only used in messages). The profile is the one named, else the file's
/// `current`, else `default`, as the CLI chooses it (alibaba-api.md §5.3). Four modes are supported:
/// `AK` and `StsToken` give a fixed credential, `RamRoleArn` a base credential to wrap in
/// `AssumeRoleCredentialProvider`, `EcsRamRole` the instance role. Every other mode is refused by
/// name rather than half-supported. Errors name the file, the profile and the field, never a value.
package enum CLIProfileCredentials {
    /// The name errors carry: the configuration's `source = cli-profile`.
    package static let sourceName = "cli-profile"
    /// The modes `resolve` understands, in the CLI's spelling.
    package static let supportedModes = ["AK", "StsToken", "RamRoleArn", "EcsRamRole"]

    /// How to obtain the profile's credential.
    package enum Resolved: Sendable, Equatable {
        /// Use this credential as it is (`AK`; `StsToken`, whose expiry the file does not record).
        case fixed(AccessKeyCredential)
        /// Assume `roleARN` with `base` (`RamRoleArn`): wrap in `AssumeRoleCredentialProvider`.
        /// A nil session name or duration means the caller's default.
        case assumeRole(
            base: AccessKeyCredential, roleARN: String, sessionName: String?, externalID: String?,
            durationSeconds: Int?)
        /// The instance RAM role (`EcsRamRole`): use `ECSRAMRoleCredentialProvider`; nil means discover it.
        case ecsRAMRole(roleName: String?)
    }

    /// Chooses the profile in `configJSON` and turns it into a `Resolved`.
    ///
    /// - Parameters:
    ///   - configJSON: the bytes of `config.json`.
    ///   - profile: the configured profile name; nil or empty means the file's `current`.
    ///   - configFile: the file's path, for messages only.
    package static func resolve(configJSON: [UInt8], profile: String?, configFile: String)
        throws(CredentialSourceError) -> Resolved
    {
        guard let document = try? JSONValue.parse(configJSON), document.objectValue != nil else {
            throw failure("\(configFile) is not a JSON object")
        }
        guard let profiles = document["profiles"]?.arrayValue else {
            throw failure("\(configFile) has no \"profiles\" list")
        }
        let current = document["current"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let name = profile.flatMap { $0.isEmpty ? nil : $0 } ?? current ?? "default"
        guard let entry = profiles.first(where: { $0["name"]?.stringValue == name }) else {
            let known = profiles.compactMap { $0["name"]?.stringValue }.map { "\"\($0)\"" }
            let listed = known.isEmpty ? "it has none" : "it has " + known.joined(separator: ", ")
            throw failure("profile \"\(name)\" not found in \(configFile) (\(listed))")
        }
        return try ProfileReader(entry: entry, name: name, configFile: configFile).resolve()
    }

    fileprivate static func failure(_ message: String) -> CredentialSourceError {
        CredentialSourceError(source: sourceName, kind: .configuration, message: message)
    }
}

/// Reads the fields of one profile entry, naming the profile and file in every error.
private struct ProfileReader {
    let entry: JSONValue
    let name: String
    let configFile: String

    func resolve() throws(CredentialSourceError) -> CLIProfileCredentials.Resolved {
        guard let mode = entry["mode"]?.stringValue, !mode.isEmpty else {
            throw CLIProfileCredentials.failure("profile \"\(name)\" in \(configFile) has no mode")
        }
        switch mode {
        case "AK":
            return .fixed(try accessKey(mode))
        case "StsToken":
            var credential = try accessKey(mode)
            credential.securityToken = try required("sts_token", mode)
            return .fixed(credential)
        case "RamRoleArn":
            return .assumeRole(
                base: try accessKey(mode), roleARN: try required("ram_role_arn", mode),
                sessionName: try optional("ram_session_name", mode), externalID: try optional("external_id", mode),
                durationSeconds: try duration(mode))
        case "EcsRamRole":
            return .ecsRAMRole(roleName: try optional("ram_role_name", mode))
        default:
            let shown = String(mode.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 }.prefix(40))
            throw CLIProfileCredentials.failure(
                "profile \"\(name)\" in \(configFile) uses mode \"\(shown)\", which rootwatchd does not support "
                    + "(supported: \(CLIProfileCredentials.supportedModes.joined(separator: ", ")))")
        }
    }

    private func accessKey(_ mode: String) throws(CredentialSourceError) -> AccessKeyCredential {
        AccessKeyCredential(
            accessKeyID: try required("access_key_id", mode), accessKeySecret: try required("access_key_secret", mode))
    }

    /// A non-empty string field; missing, empty or not a string is an error naming the field only.
    private func required(_ field: String, _ mode: String) throws(CredentialSourceError) -> String {
        guard let value = try optional(field, mode) else {
            throw CLIProfileCredentials.failure("profile \"\(name)\" in \(configFile) (mode \(mode)) has no \(field)")
        }
        return value
    }

    /// A string field that may be absent or empty (nil); another JSON type is an error.
    private func optional(_ field: String, _ mode: String) throws(CredentialSourceError) -> String? {
        guard let value = entry[field], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw CLIProfileCredentials.failure(
                "profile \"\(name)\" in \(configFile) (mode \(mode)): \(field) must be a string")
        }
        return text.isEmpty ? nil : text
    }

    /// `expired_seconds`: absent or 0 means the caller's default (the CLI writes 0 when unset).
    private func duration(_ mode: String) throws(CredentialSourceError) -> Int? {
        guard let value = entry["expired_seconds"], !value.isNull else { return nil }
        guard let seconds = value.intValue, seconds >= 0 else {
            throw CLIProfileCredentials.failure(
                "profile \"\(name)\" in \(configFile) (mode \(mode)): expired_seconds must be a whole number of seconds"
            )
        }
        return seconds == 0 ? nil : seconds
    }
}
