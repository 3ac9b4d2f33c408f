import FoundationEssentials

/// An AccessKey pair, optionally with an STS security token. `description` never shows the secret.
package struct AccessKeyCredential: Sendable, Equatable, CustomStringConvertible {
    package var accessKeyID: String
    package var accessKeySecret: String
    package var securityToken: String?
    /// When temporary credentials stop working; nil for long-lived keys.
    package var expiration: Date?

    package init(
        accessKeyID: String,
        accessKeySecret: String,
        securityToken: String? = nil,
        expiration: Date? = nil
    ) {
        self.accessKeyID = accessKeyID
        self.accessKeySecret = accessKeySecret
        self.securityToken = securityToken
        self.expiration = expiration
    }

    /// The ID as operators may see it: `LTAI****abcd`.
    package var maskedID: String { Self.mask(accessKeyID) }

    package var description: String { "AccessKey(\(maskedID)\(securityToken == nil ? "" : ", sts"))" }

    /// Masks an AccessKey ID, keeping the first four and the last four characters.
    package static func mask(_ id: String) -> String {
        guard id.count > 8 else { return "****" }
        return "\(id.prefix(4))****\(id.suffix(4))"
    }
}

/// Supplies the credential to sign a request with; providers that fetch temporary credentials cache
/// them until shortly before expiry.
package protocol CredentialProvider: Sendable {
    func credential() async throws -> AccessKeyCredential

    /// Told that the cloud rejected `credential` (an STS token expired or revoked early): a provider
    /// of temporary credentials drops it, so the next `credential()` fetches a fresh one.
    func rejected(_ credential: AccessKeyCredential) async
}

extension CredentialProvider {
    /// Long-lived keys have nothing to refresh.
    package func rejected(_ credential: AccessKeyCredential) async {}
}

/// A fixed credential.
package struct StaticCredentialProvider: CredentialProvider {
    package let value: AccessKeyCredential
    package init(_ value: AccessKeyCredential) { self.value = value }
    package func credential() async throws -> AccessKeyCredential { value }
}
