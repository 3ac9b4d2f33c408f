import FoundationEssentials

/// Supplies the STS credential of the ECS instance's RAM role from the instance metadata service,
/// caching it until 15 minutes before it expires.
///
/// Token-protected access only (IMDSv2, alibaba-api.md §5.2): a session token from
/// `PUT /latest/api/token` accompanies every metadata read. Unlike the official SDK this never falls
/// back to token-less (IMDSv1) reads: the token PUT is what stops a server-side request forgery on the
/// instance from reading the role's keys, and product.md promises token-protected access. An instance
/// whose metadata service refuses tokens is reported as a configuration error instead.
///
/// Every request has a 1 s connect and 5 s total bound (the service is link-local; a slow answer means
/// it is not there), network failures and 5xx are retried a few times with a short doubling delay, and
/// a 401/403 on a read drops the session token and fetches a new one once. Concurrent callers share one
/// refresh (single flight). If a refresh fails while the cached credential is still valid for at least
/// `graceMargin`, the cached one is returned: it works until its expiration, and a metadata hiccup
/// should not fail a scan.
package actor ECSRAMRoleCredentialProvider: CredentialProvider {
    /// The name errors carry: the configuration's `source = ecs-ram-role`.
    package static let sourceName = "ecs-ram-role"
    package static let tokenTTLHeader = "X-aliyun-ecs-metadata-token-ttl-seconds"
    package static let tokenHeader = "X-aliyun-ecs-metadata-token"
    package static let tokenPath = "/latest/api/token"
    package static let credentialsPath = "/latest/meta-data/ram/security-credentials/"

    package let metadata: Endpoint
    /// The configured role; nil means ask the metadata service on every refresh.
    package let roleName: String?
    /// Refresh this long before `Expiration` (the SDK's 15-minute stale time).
    package let refreshMargin: Duration
    /// A cached credential with at least this much left still serves when a refresh fails.
    package let graceMargin: Duration
    /// Lifetime requested for the metadata session token (the service allows 1…21600 s).
    package let tokenTTLSeconds: Int
    /// Attempts per metadata request, the first included.
    package let maxAttempts: Int
    /// Delay before the first retry, doubled for each further one.
    package let retryDelay: Duration

    private let transport: any HTTPTransport
    private let sleeper: any Sleeper
    private let now: @Sendable () -> Date
    private var cached: AccessKeyCredential?
    private var session: (token: String, expires: Date)?
    private var inFlight: Task<AccessKeyCredential, any Error>?

    /// A 401 or 403 on a read that carried the session token.
    private struct TokenRejected: Error { let status: Int }

    package init(
        metadata: Endpoint,
        roleName: String?,
        transport: any HTTPTransport,
        sleeper: any Sleeper = ClockSleeper(),
        now: @escaping @Sendable () -> Date = { Date() },
        refreshMargin: Duration = .seconds(900),
        graceMargin: Duration = .seconds(60),
        tokenTTLSeconds: Int = 21600,
        maxAttempts: Int = 3,
        retryDelay: Duration = .milliseconds(500)
    ) {
        self.metadata = metadata
        self.roleName = roleName?.isEmpty == true ? nil : roleName
        self.transport = transport
        self.sleeper = sleeper
        self.now = now
        self.refreshMargin = refreshMargin
        self.graceMargin = graceMargin
        self.tokenTTLSeconds = min(21600, max(1, tokenTTLSeconds))
        self.maxAttempts = max(1, maxAttempts)
        self.retryDelay = retryDelay
    }

    /// The cached credential while it has more than `refreshMargin` left, otherwise a fresh one.
    package func credential() async throws -> AccessKeyCredential {
        if let cached, remaining(cached) > seconds(refreshMargin) { return cached }
        if let inFlight { return try await inFlight.value }
        let task = Task { try await self.refresh() }
        inFlight = task
        defer { inFlight = nil }
        return try await task.value
    }

    /// Fetches and caches a credential; on failure falls back to a cached one that is still usable.
    private func refresh() async throws -> AccessKeyCredential {
        do {
            let fresh = try await fetch()
            cached = fresh
            return fresh
        } catch {
            if let cached, remaining(cached) > seconds(graceMargin) { return cached }
            throw error
        }
    }

    /// Token, role, credential; a rejected token is replaced once.
    private func fetch() async throws -> AccessKeyCredential {
        var renewed = false
        while true {
            let token = try await sessionToken()
            do {
                let role: String
                if let roleName {
                    role = try checkedRoleName(roleName)
                } else {
                    role = try await discoverRole(token: token)
                }
                return try await readCredential(role: role, token: token)
            } catch let rejected as TokenRejected {
                session = nil
                guard !renewed else {
                    throw failure(
                        .refused,
                        "metadata service at \(metadata) refused a new session token (HTTP \(rejected.status))")
                }
                renewed = true
            }
        }
    }

    /// The session token, fetched anew when none is held or it is near the end of its TTL.
    private func sessionToken() async throws -> String {
        let margin = Double(min(300, tokenTTLSeconds / 2))
        if let session, session.expires.timeIntervalSince(now()) > margin { return session.token }
        let issuedAt = now()
        let response = try await send(
            method: "PUT", path: Self.tokenPath, headers: [(Self.tokenTTLHeader, String(tokenTTLSeconds))])
        guard response.status == 200 else {
            throw failure(
                .refused,
                "metadata service at \(metadata) refused a session token (HTTP \(response.status)); "
                    + "token-less (IMDSv1) access is not used")
        }
        let token = trimmed(response.bodyText)
        guard !token.isEmpty, !token.contains(where: { $0.isNewline || $0 == " " }) else {
            throw failure(.malformed, "metadata service at \(metadata) returned an unusable session token")
        }
        session = (token, issuedAt.addingTimeInterval(Double(tokenTTLSeconds)))
        return token
    }

    /// The role attached to the instance, as the metadata service lists it.
    private func discoverRole(token: String) async throws -> String {
        let response = try await send(method: "GET", path: Self.credentialsPath, headers: [(Self.tokenHeader, token)])
        switch response.status {
        case 200:
            let name = trimmed(response.bodyText.split(whereSeparator: \.isNewline).first.map(String.init) ?? "")
            guard !name.isEmpty else { throw noRoleAttached() }
            guard Self.isValidRoleName(name) else {
                throw failure(.malformed, "metadata service at \(metadata) listed an invalid RAM role name")
            }
            return name
        case 401, 403: throw TokenRejected(status: response.status)
        case 404: throw noRoleAttached()
        default:
            throw failure(.refused, "metadata service at \(metadata) refused the role lookup (HTTP \(response.status))")
        }
    }

    /// The role's STS credential; the body holds secrets, so no part of it goes into an error.
    private func readCredential(role: String, token: String) async throws -> AccessKeyCredential {
        let response = try await send(
            method: "GET", path: Self.credentialsPath + role, headers: [(Self.tokenHeader, token)])
        switch response.status {
        case 200: break
        case 401, 403: throw TokenRejected(status: response.status)
        case 404:
            throw failure(.configuration, "RAM role \"\(role)\" is not attached to this instance (HTTP 404)")
        default:
            throw failure(
                .refused,
                "metadata service at \(metadata) refused credentials for role \"\(role)\" (HTTP \(response.status))")
        }
        guard let document = try? JSONValue.parse(response.body), document.objectValue != nil else {
            throw unreadable(role, "not a JSON object")
        }
        guard let code = document["Code"]?.stringValue else { throw unreadable(role, "no Code") }
        guard code == "Success" else {
            throw failure(
                .refused,
                "metadata service at \(metadata) answered Code \"\(Self.printable(code))\" for role \"\(role)\"")
        }
        var fields: [String: String] = [:]
        for name in ["AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"] {
            guard let value = document[name]?.stringValue, !value.isEmpty else { throw unreadable(role, "no \(name)") }
            fields[name] = value
        }
        guard let expiration = UTCTimestamp.parse(fields["Expiration"]!) else {
            throw unreadable(role, "Expiration is not a UTC timestamp")
        }
        return AccessKeyCredential(
            accessKeyID: fields["AccessKeyId"]!, accessKeySecret: fields["AccessKeySecret"]!,
            securityToken: fields["SecurityToken"]!, expiration: expiration)
    }

    /// One metadata request with the short timeouts, retrying network failures and 5xx.
    private func send(method: String, path: String, headers: [(name: String, value: String)]) async throws
        -> HTTPResponse
    {
        let request = HTTPRequest(
            method: method, url: metadata.baseURL + path, headers: headers, connectTimeout: .seconds(1),
            timeout: .seconds(5))
        var attempt = 1
        while true {
            let problem: String
            do {
                let response = try await transport.send(request)
                guard response.status >= 500 else { return response }
                problem = "HTTP \(response.status)"
            } catch let error as TransportError {
                guard error.isRetryable else { throw unreachable(error.description, attempts: attempt) }
                problem = error.description
            }
            guard attempt < maxAttempts else { throw unreachable(problem, attempts: attempt) }
            try await sleeper.sleep(for: retryDelay * (1 << (attempt - 1)))
            attempt += 1
        }
    }

    /// The configured role name, refused when it could not be a RAM role name.
    private func checkedRoleName(_ name: String) throws -> String {
        guard Self.isValidRoleName(name) else {
            throw failure(.configuration, "ram_role_name \"\(Self.printable(name))\" is not a valid RAM role name")
        }
        return name
    }

    /// RAM role names: 1–64 letters, digits, `.`, `-` and `_` (which also keeps the URL path plain).
    package static func isValidRoleName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-_".unicodeScalars.contains($0))
            }
    }

    /// Text from the service, cut to 64 printable ASCII characters for an error line.
    private static func printable(_ text: String) -> String {
        String(
            text.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }.prefix(64).map(
                Character.init))
    }

    private func remaining(_ credential: AccessKeyCredential) -> Double {
        guard let expiration = credential.expiration else { return .infinity }
        return expiration.timeIntervalSince(now())
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func trimmed(_ text: String) -> String {
        String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    private func failure(_ kind: CredentialSourceError.Kind, _ message: String) -> CredentialSourceError {
        CredentialSourceError(source: Self.sourceName, kind: kind, message: message)
    }

    private func unreachable(_ problem: String, attempts: Int) -> CredentialSourceError {
        let tail = attempts > 1 ? "; gave up after \(attempts) attempts" : ""
        return failure(.unreachable, "metadata service at \(metadata) did not answer: \(problem)\(tail)")
    }

    private func unreadable(_ role: String, _ what: String) -> CredentialSourceError {
        failure(
            .malformed,
            "metadata service at \(metadata) returned an unreadable credential for role \"\(role)\" (\(what))")
    }

    private func noRoleAttached() -> CredentialSourceError {
        failure(.configuration, "no RAM role is attached to this instance (metadata service at \(metadata) lists none)")
    }

    /// Drops the cached credential when the cloud rejected it, so the next call fetches a new one.
    package func rejected(_ credential: AccessKeyCredential) {
        if cached == credential { cached = nil }
    }
}
