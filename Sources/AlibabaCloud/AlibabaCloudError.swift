/// Why an Alibaba Cloud call failed, with what an operator needs to act on it: the account, the API
/// action, the request ID for a support ticket, the API error code, and whether a retry can help.
///
/// Messages from the server are sanitized before they are stored (see `RPCClient`): a
/// `SignatureDoesNotMatch` message echoes the server's string to sign, which contains the AccessKey
/// ID and, for STS credentials, the security token.
package struct AlibabaCloudError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; decides retrying and the operator's next step.
    package enum Kind: Sendable, Equatable {
        /// Flow control (`Throttling*` codes, HTTP 429); `retryAfter` from `x-acs-retry-after`.
        case throttled(retryAfter: Duration?)
        /// HTTP 5xx: the service failed; may pass.
        case server
        /// No response arrived.
        case network(TransportError)
        /// The signature was refused: clock skew, a reused nonce, or a signing bug.
        case signatureRejected
        /// The AccessKey or STS token is unknown, disabled or expired.
        case credentialRejected
        /// The identity lacks permission (`Forbidden*`, `NoPermission*`, HTTP 403).
        case forbidden
        /// The response could not be understood; the associated text says what was wrong.
        case malformedResponse(String)
        /// Any other 4xx: a bad parameter or an API the account cannot use.
        case client
        /// The credential report did not reach `COMPLETED` within the polling bound.
        case reportNotReady(lastState: String)
    }

    package var kind: Kind
    /// The configured account label (`[account prod]` → `prod`), so logs say which account failed.
    package var account: String
    /// The API action, e.g. `GetCredentialReport`.
    package var action: String
    package var requestID: String?
    /// The API error code (`Throttling.User`), when the body carried one.
    package var code: String?
    package var httpStatus: Int?
    /// The server's message, sanitized and shortened to one line.
    package var message: String?
    /// How many attempts were made before giving up (1 when not retried).
    package var attempts: Int

    package init(
        kind: Kind,
        account: String,
        action: String,
        requestID: String? = nil,
        code: String? = nil,
        httpStatus: Int? = nil,
        message: String? = nil,
        attempts: Int = 1
    ) {
        self.kind = kind
        self.account = account
        self.action = action
        self.requestID = requestID
        self.code = code
        self.httpStatus = httpStatus
        self.message = message
        self.attempts = attempts
    }

    /// Whether trying the same request again can succeed: throttling, 5xx and passing network
    /// failures. Signature, credential and permission errors never heal by themselves.
    package var isRetryable: Bool {
        switch kind {
        case .throttled, .server: true
        case .network(let error): error.isRetryable
        case .signatureRejected, .credentialRejected, .forbidden, .malformedResponse, .client, .reportNotReady: false
        }
    }

    /// A short phrase for the kind, as used in log lines and scan-failure messages.
    package var summary: String {
        switch kind {
        case .throttled: "throttled"
        case .server: "failed on the server side"
        case .network(let error): "got no response (\(error))"
        case .signatureRejected: "signature rejected (check the host clock)"
        case .credentialRejected: "credential rejected"
        case .forbidden: "forbidden"
        case .malformedResponse(let what): "returned an unreadable response (\(what))"
        case .client: "was refused"
        case .reportNotReady(let state): "credential report not ready (state \(state))"
        }
    }

    /// One line: `account prod: GetCredentialReport throttled (Throttling.User, HTTP 400, RequestId …): message; gave up after 5 attempts`.
    package var description: String {
        base + "; " + (attempts > 1 ? "gave up after \(attempts) attempts" : isRetryable ? "retryable" : "not retried")
    }

    /// The line to log when the client is about to retry after `delay`.
    package func retryingDescription(after delay: Duration) -> String {
        let millis = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
        var seconds = String(millis / 1000)
        if millis % 1000 != 0 {
            let fraction = String(millis % 1000)
            seconds += "." + String(repeating: "0", count: 3 - fraction.count) + fraction
            while seconds.hasSuffix("0") { seconds.removeLast() }
        }
        return base + "; retrying in \(seconds) s (attempt \(attempts + 1))"
    }

    private var base: String {
        var details: [String] = []
        if let code { details.append(code) }
        if let httpStatus { details.append("HTTP \(httpStatus)") }
        if let requestID { details.append("RequestId \(requestID)") }
        var line = "account \(account): \(action) \(summary)"
        if !details.isEmpty { line += " (" + details.joined(separator: ", ") + ")" }
        if let message, !message.isEmpty { line += ": " + message }
        return line
    }
}
