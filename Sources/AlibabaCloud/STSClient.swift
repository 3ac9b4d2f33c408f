import FoundationEssentials

/// Who a credential belongs to, from STS `GetCallerIdentity`.
package struct CallerIdentity: Sendable, Equatable {
    /// The Alibaba Cloud account ID (16 digits), reported in every alert.
    package var accountID: String
    /// `acs:ram::<account>:root`, `…:user/<name>` or `…:assumed-role/<role>/<session>`.
    package var arn: String
    /// `Account`, `RAMUser` or `AssumedRoleUser`.
    package var identityType: String
    package var principalID: String

    package init(accountID: String, arn: String, identityType: String, principalID: String) {
        self.accountID = accountID
        self.arn = arn
        self.identityType = identityType
        self.principalID = principalID
    }
}

/// Calls STS (version 2015-04-01): AssumeRole for cross-account access, GetCallerIdentity to learn the
/// account ID.
///
/// Docs: https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-assumerole and
/// https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-getcalleridentity.
package struct STSClient: Sendable {
    package static let version = "2015-04-01"

    package let rpc: RPCClient
    package let endpoint: Endpoint

    package init(rpc: RPCClient, endpoint: Endpoint) {
        self.rpc = rpc
        self.endpoint = endpoint
    }

    /// Assumes `roleARN` and returns the temporary credential with its expiration.
    package func assumeRole(
        roleARN: String,
        sessionName: String,
        externalID: String? = nil,
        durationSeconds: Int = 3600
    ) async throws -> AccessKeyCredential {
        let action = "AssumeRole"
        var parameters = [
            "RoleArn": roleARN, "RoleSessionName": sessionName, "DurationSeconds": String(durationSeconds),
        ]
        if let externalID { parameters["ExternalId"] = externalID }
        let response = try await rpc.call(
            action: action, version: Self.version, parameters: parameters, endpoint: endpoint)
        let credentials = response.body["Credentials"]
        guard let id = credentials?["AccessKeyId"]?.stringValue,
            let secret = credentials?["AccessKeySecret"]?.stringValue,
            let token = credentials?["SecurityToken"]?.stringValue
        else { throw rpc.malformed("Credentials incomplete", action: action, response) }
        guard let expirationText = credentials?["Expiration"]?.stringValue,
            let expiration = UTCTimestamp.parse(expirationText)
        else { throw rpc.malformed("Credentials.Expiration missing or unreadable", action: action, response) }
        return AccessKeyCredential(
            accessKeyID: id, accessKeySecret: secret, securityToken: token, expiration: expiration)
    }

    /// Returns the identity the configured credential acts as.
    package func getCallerIdentity() async throws -> CallerIdentity {
        let action = "GetCallerIdentity"
        let response = try await rpc.call(action: action, version: Self.version, endpoint: endpoint)
        let body = response.body
        guard let accountID = body["AccountId"]?.stringValue, !accountID.isEmpty,
            let arn = body["Arn"]?.stringValue
        else { throw rpc.malformed("AccountId or Arn missing", action: action, response) }
        return CallerIdentity(
            accountID: accountID, arn: arn, identityType: body["IdentityType"]?.stringValue ?? "",
            principalID: body["PrincipalId"]?.stringValue ?? "")
    }

}
