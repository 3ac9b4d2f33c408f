/// Why a credential source (the ECS metadata service, an aliyun CLI profile) could not supply a
/// credential, as one line an operator can act on.
///
/// Separate from `AlibabaCloudError` because these failures happen before any Alibaba Cloud API is
/// called: there is no account, action or RequestId, only the source and what went wrong with it.
/// The message names the source the way the configuration does (`ecs-ram-role`, `cli-profile`) and
/// never carries a secret, a security token or a metadata session token.
package struct CredentialSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; decides whether trying again later can help.
    package enum Kind: Sendable, Equatable {
        /// No answer, or a 5xx, after the bounded retries: the service may come back.
        case unreachable
        /// The source answered but refused (HTTP 4xx, `Code` other than `Success`).
        case refused
        /// The answer could not be understood (not JSON, a field missing, a bad `Expiration`).
        case malformed
        /// The configuration points at something unusable (no such profile, unsupported mode,
        /// a required field missing, no role attached): fixing the setup is the only remedy.
        case configuration
    }

    /// `ecs-ram-role` or `cli-profile`, as written after `source =` in the configuration.
    package var source: String
    package var kind: Kind
    /// What went wrong, without the source prefix.
    package var message: String

    package init(source: String, kind: Kind, message: String) {
        self.source = source
        self.kind = kind
        self.message = message
    }

    /// Whether trying again later can succeed: only an unreachable or failing service.
    package var isRetryable: Bool { kind == .unreachable }

    /// `ecs-ram-role: metadata service at http://100.100.100.200 did not answer: …`.
    package var description: String { "\(source): \(message)" }
}
