/// Reads a credential from the standard Alibaba Cloud environment variables.
///
/// `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and optionally
/// `ALIBABA_CLOUD_SECURITY_TOKEN`, as the official credential chain names them (alibaba-api.md §5.3).
/// Pure: the caller passes the environment, so only the composition root touches the process.
package enum EnvironmentCredentials {
    package static let accessKeyIDVariable = "ALIBABA_CLOUD_ACCESS_KEY_ID"
    package static let accessKeySecretVariable = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    package static let securityTokenVariable = "ALIBABA_CLOUD_SECURITY_TOKEN"

    /// Why the environment holds an unusable credential.
    package struct Incomplete: Error, Sendable, Equatable, CustomStringConvertible {
        /// The variables that are required but unset or empty.
        package let missing: [String]
        package init(missing: [String]) { self.missing = missing }
        package var description: String {
            "incomplete Alibaba Cloud credential in the environment: \(missing.joined(separator: " and ")) not set"
        }
    }

    /// The credential, nil when none of the variables is set, or `Incomplete` when only some are.
    ///
    /// Empty values count as unset, as they do in the SDK.
    package static func parse(_ env: [String: String]) throws(Incomplete) -> AccessKeyCredential? {
        func value(_ name: String) -> String? {
            guard let text = env[name], !text.isEmpty else { return nil }
            return text
        }
        let id = value(accessKeyIDVariable)
        let secret = value(accessKeySecretVariable)
        let token = value(securityTokenVariable)
        if id == nil, secret == nil, token == nil { return nil }
        guard let id, let secret else {
            throw Incomplete(
                missing: [(accessKeyIDVariable, id), (accessKeySecretVariable, secret)].filter { $0.1 == nil }.map(
                    \.0))
        }
        return AccessKeyCredential(accessKeyID: id, accessKeySecret: secret, securityToken: token)
    }
}
