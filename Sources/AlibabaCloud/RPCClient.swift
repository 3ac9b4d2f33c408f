import FoundationEssentials

/// Which request signature `RPCClient` uses; configuration `signature = v3 | v1`.
package enum SignatureVersion: String, Sendable, Equatable, CaseIterable {
    /// HMAC-SHA1, `SignatureVersion=1.0`, signature in the query string.
    case v1
    /// `ACS3-HMAC-SHA256`, signature in the `Authorization` header; the SDKs' default.
    case v3
}

/// A decoded successful RPC response.
package struct RPCResponse: Sendable, Equatable {
    package var body: JSONValue
    package var requestID: String?
    package var status: Int

    package init(body: JSONValue, requestID: String?, status: Int = 200) {
        self.body = body
        self.requestID = requestID
        self.status = status
    }
}

/// Calls Alibaba Cloud RPC-style APIs for one account: builds and signs the request, sends it through
/// the injected transport, decodes success and error bodies, and retries what a retry can fix.
///
/// Every side effect is injected (transport, credentials, sleeper, clock, nonce) so the whole
/// request/retry behaviour is tested against scripted responses without waiting.
/// Request shape as the official SDK sends it: POST to `/`, API parameters in the query string, empty
/// body (alibaba-api.md §3.5).
package struct RPCClient: Sendable {
    /// Settings that come from configuration rather than from the call.
    package struct Options: Sendable {
        package var signatureVersion: SignatureVersion
        package var retryPolicy: RetryPolicy
        package var connectTimeout: Duration
        package var timeout: Duration
        /// A PEM bundle to verify endpoints against instead of the system store.
        package var caFile: String?
        package var userAgent: String

        package init(
            signatureVersion: SignatureVersion = .v3,
            retryPolicy: RetryPolicy = RetryPolicy(),
            connectTimeout: Duration = .seconds(5),
            timeout: Duration = .seconds(30),
            caFile: String? = nil,
            userAgent: String = "rootwatchd"
        ) {
            self.signatureVersion = signatureVersion
            self.retryPolicy = retryPolicy
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.caFile = caFile
            self.userAgent = userAgent
        }
    }

    /// The collaborators, behind one reference: a client is copied into the IMS, STS and ActionTrail
    /// clients of every account, and a fleet holds thousands of them.
    private final class Parts: Sendable {
        let account: String
        let transport: any HTTPTransport
        let credentials: any CredentialProvider
        let sleeper: any Sleeper
        let now: @Sendable () -> Date
        let nonce: @Sendable () -> String
        let onRetry: @Sendable (AlibabaCloudError, Duration) -> Void

        init(
            account: String, transport: any HTTPTransport, credentials: any CredentialProvider, sleeper: any Sleeper,
            now: @escaping @Sendable () -> Date, nonce: @escaping @Sendable () -> String,
            onRetry: @escaping @Sendable (AlibabaCloudError, Duration) -> Void
        ) {
            self.account = account
            self.transport = transport
            self.credentials = credentials
            self.sleeper = sleeper
            self.now = now
            self.nonce = nonce
            self.onRetry = onRetry
        }
    }

    private let parts: Parts
    package var options: Options

    /// The account label errors carry.
    package var account: String { parts.account }
    package var transport: any HTTPTransport { parts.transport }
    package var credentials: any CredentialProvider { parts.credentials }
    package var sleeper: any Sleeper { parts.sleeper }
    package var now: @Sendable () -> Date { parts.now }
    package var nonce: @Sendable () -> String { parts.nonce }
    /// Told about each retry before its sleep, so the daemon can log it.
    package var onRetry: @Sendable (AlibabaCloudError, Duration) -> Void { parts.onRetry }

    package init(
        account: String,
        transport: any HTTPTransport,
        credentials: any CredentialProvider,
        options: Options = Options(),
        sleeper: any Sleeper = ClockSleeper(),
        now: @escaping @Sendable () -> Date = { Date() },
        nonce: @escaping @Sendable () -> String = { RPCClient.randomNonce() },
        onRetry: @escaping @Sendable (AlibabaCloudError, Duration) -> Void = { _, _ in }
    ) {
        self.parts = Parts(
            account: account, transport: transport, credentials: credentials, sleeper: sleeper, now: now,
            nonce: nonce, onRetry: onRetry)
        self.options = options
    }

    /// The error for a success answer that lacks what the caller needs, naming the account, action
    /// and RequestId like every other error of this client.
    package func malformed(_ what: String, action: String, _ response: RPCResponse) -> AlibabaCloudError {
        AlibabaCloudError(
            kind: .malformedResponse(what), account: account, action: action, requestID: response.requestID,
            httpStatus: response.status)
    }

    /// 32 lower-case hex characters from 16 random bytes, the nonce format the SDK uses.
    package static func randomNonce() -> String {
        Digest.hex(Digest.randomBytes(16))
    }

    /// Calls `action` and returns the decoded body, retrying per the policy.
    ///
    /// Throws `AlibabaCloudError` (with `attempts` set), whatever the credential provider throws, or
    /// `CancellationError` when the task is cancelled during a back-off sleep.
    package func call(
        action: String,
        version: String,
        parameters: [String: String] = [:],
        endpoint: Endpoint
    ) async throws -> RPCResponse {
        let start = now()
        var attempt = 0
        var refreshedRejectedToken = false
        while true {
            attempt += 1
            let credential = try await credentials.credential()
            let request = makeRequest(
                action: action, version: version, parameters: parameters, endpoint: endpoint,
                credential: credential, date: now(), nonce: nonce())
            var failure: AlibabaCloudError
            do {
                let response = try await transport.send(request)
                switch RPCResponseDecoder.decode(
                    response, account: account, action: action, credential: credential)
                {
                case .success(let decoded): return decoded
                case .failure(let error): failure = error
                }
            } catch let error as TransportError {
                failure = AlibabaCloudError(kind: .network(error), account: account, action: action)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = AlibabaCloudError(
                    kind: .network(.other(String(describing: error))), account: account, action: action)
            }
            failure.attempts = attempt
            // A temporary credential the cloud no longer accepts (expired or revoked early): get a
            // fresh one and try once more at once; a rejected long-lived key fails as it is.
            if case .credentialRejected = failure.kind, credential.securityToken != nil, !refreshedRejectedToken {
                refreshedRejectedToken = true
                await credentials.rejected(credential)
                continue
            }
            let elapsed = Duration.seconds(now().timeIntervalSince(start))
            guard let delay = options.retryPolicy.delay(after: failure, attempt: attempt, elapsed: elapsed) else {
                throw failure
            }
            onRetry(failure, delay)
            try await sleeper.sleep(for: delay)
        }
    }

    /// Builds the signed request for one attempt; pure, so tests can check it field by field.
    package func makeRequest(
        action: String,
        version: String,
        parameters: [String: String],
        endpoint: Endpoint,
        credential: AccessKeyCredential,
        date: Date,
        nonce: String
    ) -> HTTPRequest {
        let method = "POST"
        var headers: [(name: String, value: String)]
        let query: String
        switch options.signatureVersion {
        case .v1:
            // V1: Action/Version/Format and the common parameters travel in the signed query string.
            var all = parameters
            all["Action"] = action
            all["Version"] = version
            all["Format"] = "JSON"
            let signed = SignerV1.sign(
                method: method, parameters: all, credential: credential, date: date, nonce: nonce)
            query = signed.queryString
            headers = []
        case .v3:
            // V3: the action and version move to x-acs-* headers; only API parameters stay in the query.
            headers = SignerV3.requestHeaders(
                host: endpoint.authority, action: action, version: version, date: date, nonce: nonce, body: [],
                credential: credential)
            let signed = SignerV3.sign(
                method: method, query: parameters, headers: headers, body: [], credential: credential)
            query = signed.canonicalQueryString
            headers.append(("authorization", signed.authorization))
        }
        headers.append(("accept", "application/json"))
        headers.append(("user-agent", options.userAgent))
        let url = endpoint.baseURL + "/" + (query.isEmpty ? "" : "?" + query)
        return HTTPRequest(
            method: method, url: url, headers: headers, body: [], connectTimeout: options.connectTimeout,
            timeout: options.timeout, caFile: options.caFile)
    }
}
