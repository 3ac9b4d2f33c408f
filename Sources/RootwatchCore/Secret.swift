/// A secret value (AccessKey secret, STS token, webhook signing secret) that cannot be printed by
/// accident: `description`, `debugDescription`, string interpolation and `dump` all show `<secret>`.
///
/// It is deliberately not `Codable`, so it can never be written into the state file or a JSON
/// document. Code that signs or sends reads `revealed` at the last moment.
package struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The value itself; read it only to sign or authenticate, never to log.
    package let revealed: String

    package init(_ value: String) {
        revealed = value
    }

    package var description: String { "<secret>" }
    package var debugDescription: String { "<secret>" }
    package var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Where a secret was read from, for the `check-config` summary and error messages.
package enum SecretOrigin: Sendable, Equatable, CustomStringConvertible {
    /// A file named in the configuration, e.g. `access_key_secret_file = /etc/rootwatchd/secrets/main`.
    case file(path: String)
    /// A systemd credential: `$CREDENTIALS_DIRECTORY/NAME` (`LoadCredential=`).
    case credential(name: String)
    /// Written in the configuration file itself (allowed only when that file is private to its owner).
    case inline
    /// The process environment (`ALIBABA_CLOUD_ACCESS_KEY_SECRET`).
    case environment

    /// `file /path`, `credential NAME`, `inline` or `environment`.
    package var description: String {
        switch self {
        case .file(let path): "file \(path)"
        case .credential(let name): "credential \(name)"
        case .inline: "inline"
        case .environment: "environment"
        }
    }
}
