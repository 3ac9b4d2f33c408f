import FoundationEssentials

/// Supplies credentials for a role in another account by assuming it with STS, caching the
/// temporary credential until shortly before it expires.
///
/// The base identity (the `[credentials …]` section an account names) signs the AssumeRole call
/// through `sts`. Refresh happens `refreshMargin` (5 minutes) before `Expiration` so a credential
/// never expires mid-scan; concurrent callers share one in-flight AssumeRole call (single flight),
/// so many accounts waking at once cost one STS request per role.
package actor AssumeRoleCredentialProvider: CredentialProvider {
    package let sts: STSClient
    package let roleARN: String
    package let externalID: String?
    package let sessionName: String
    package let durationSeconds: Int
    package let refreshMargin: Duration
    private let now: @Sendable () -> Date
    private var cached: AccessKeyCredential?
    private var inFlight: Task<AccessKeyCredential, any Error>?

    package init(
        sts: STSClient,
        roleARN: String,
        externalID: String? = nil,
        sessionName: String = "rootwatchd",
        durationSeconds: Int = 3600,
        refreshMargin: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.sts = sts
        self.roleARN = roleARN
        self.externalID = externalID
        self.sessionName = sessionName
        self.durationSeconds = durationSeconds
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// The cached credential while it is fresh, otherwise a new one from STS.
    package func credential() async throws -> AccessKeyCredential {
        if let cached, isFresh(cached) { return cached }
        if let inFlight { return try await inFlight.value }
        let task = Task { [sts, roleARN, sessionName, externalID, durationSeconds] in
            try await sts.assumeRole(
                roleARN: roleARN, sessionName: sessionName, externalID: externalID,
                durationSeconds: durationSeconds)
        }
        inFlight = task
        defer { inFlight = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh
    }

    /// True while the credential has more than `refreshMargin` left (or never expires).
    private func isFresh(_ credential: AccessKeyCredential) -> Bool {
        guard let expiration = credential.expiration else { return true }
        let margin = Double(refreshMargin.components.seconds)
        return expiration.timeIntervalSince(now()) > margin
    }

    /// Drops the cached credential when the cloud rejected it, so the next call fetches a new one.
    package func rejected(_ credential: AccessKeyCredential) {
        if cached == credential { cached = nil }
    }
}
