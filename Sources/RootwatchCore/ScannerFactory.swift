import AlibabaCloud
import FoundationEssentials

/// Builds, from the configuration, the scanner of every account: its signing identity (static keys,
/// environment, or an assumed role on top), its RPC clients and its detection settings.
///
/// One credential provider is built per `[credentials NAME]` section and shared by the accounts that
/// name it; each account with a `role_arn` gets its own AssumeRole provider, which caches the STS
/// credential until shortly before it expires.
package struct ScannerFactory: Sendable {
    package var transport: any HTTPTransport
    package var sleeper: any Sleeper
    package var now: @Sendable () -> Date
    package var retryPolicy: RetryPolicy
    package var polling: IMSClient.Polling
    /// Told about every retry, to log it.
    package var onRetry: @Sendable (AlibabaCloudError, Duration) -> Void
    /// Reads a file (the aliyun CLI's `config.json`); the factory itself does no I/O.
    package var readFile: @Sendable (String) throws -> [UInt8]

    package init(
        transport: any HTTPTransport,
        sleeper: any Sleeper = ClockSleeper(),
        now: @escaping @Sendable () -> Date = { Date() },
        retryPolicy: RetryPolicy = RetryPolicy(),
        polling: IMSClient.Polling = IMSClient.Polling(),
        onRetry: @escaping @Sendable (AlibabaCloudError, Duration) -> Void = { _, _ in },
        readFile: @escaping @Sendable (String) throws -> [UInt8] = { _ in [] }
    ) {
        self.readFile = readFile
        self.transport = transport
        self.sleeper = sleeper
        self.now = now
        self.retryPolicy = retryPolicy
        self.polling = polling
        self.onRetry = onRetry
    }

    /// A configuration the factory cannot turn into clients.
    package struct Failure: Error, Equatable, CustomStringConvertible {
        package var section: String
        package var reason: String
        package var description: String { "[\(section)] \(reason)" }
    }

    /// The scanner of every configured account, by name.
    package func scanners(for configuration: Configuration) throws(Failure) -> [String: AccountScanner] {
        let options = RPCClient.Options(
            signatureVersion: configuration.daemon.signature == .v1 ? .v1 : .v3, retryPolicy: retryPolicy,
            connectTimeout: min(.seconds(5), configuration.daemon.requestTimeout),
            timeout: configuration.daemon.requestTimeout,
            userAgent: "rootwatchd/\(RootwatchVersion.current)")
        let ims = try endpoint(configuration.endpoints.ims, section: "endpoints")
        let sts = try endpoint(configuration.endpoints.sts, section: "endpoints")

        let metadata = try endpoint(configuration.endpoints.metadata, section: "endpoints")
        var bases: [String: any CredentialProvider] = [:]
        for credentials in configuration.credentials {
            bases[credentials.name] = try baseProvider(credentials, metadata: metadata, sts: sts, options: options)
        }
        var scanners: [String: AccountScanner] = [:]
        scanners.reserveCapacity(configuration.accounts.count)
        for account in configuration.accounts {
            guard let base = bases[account.credentials] else {
                throw Failure(section: "account \(account.name)", reason: "no [credentials \(account.credentials)]")
            }
            var provider = base
            if let roleARN = account.roleARN {
                let baseSTS = STSClient(rpc: rpc(account.name, base, options), endpoint: sts)
                provider = AssumeRoleCredentialProvider(
                    sts: baseSTS, roleARN: roleARN, externalID: account.externalID,
                    sessionName: account.roleSessionName, now: now)
            }
            let client = rpc(account.name, provider, options)
            let settings = AccountScanner.Settings(
                name: account.name, window: account.window, windowText: DurationText.format(account.window),
                staleAfter: account.staleAfter)
            scanners[account.name] = AccountScanner(
                settings: settings, ims: IMSClient(rpc: client, endpoint: ims, polling: polling),
                sts: STSClient(rpc: client, endpoint: sts),
                actionTrail: try actionTrailPoller(account, client: client, sts: sts, configuration: configuration))
        }
        return scanners
    }

    /// The ActionTrail poller of an account with `actiontrail = yes`, signing with the account's identity.
    private func actionTrailPoller(
        _ account: AccountConfiguration, client: RPCClient, sts: Endpoint, configuration: Configuration
    ) throws(Failure) -> ActionTrailPoller? {
        guard account.actiontrail, let region = account.actiontrailRegion else { return nil }
        let endpoint = try endpoint(configuration.endpoints.actiontrail(region: region), section: "endpoints")
        let settings = ActionTrailPoller.Settings(
            name: account.name, window: account.window, windowText: DurationText.format(account.window),
            overlap: configuration.daemon.actiontrailOverlap)
        return ActionTrailPoller(
            settings: settings, client: ActionTrailClient(rpc: client, endpoint: endpoint),
            sts: STSClient(rpc: client, endpoint: sts), sleeper: sleeper, now: now)
    }

    private func rpc(_ account: String, _ credentials: any CredentialProvider, _ options: RPCClient.Options)
        -> RPCClient
    {
        RPCClient(
            account: account, transport: transport, credentials: credentials, options: options, sleeper: sleeper,
            now: now, onRetry: onRetry)
    }

    private func endpoint(_ url: String, section: String) throws(Failure) -> Endpoint {
        do {
            return try Endpoint(url)
        } catch {
            throw Failure(section: section, reason: error.description)
        }
    }

    private func baseProvider(
        _ credentials: CredentialsConfiguration, metadata: Endpoint, sts: Endpoint, options: RPCClient.Options
    ) throws(Failure) -> any CredentialProvider {
        switch credentials.source {
        case .accessKey(let id, let secret, _):
            return StaticCredentialProvider(AccessKeyCredential(accessKeyID: id, accessKeySecret: secret.revealed))
        case .environment(let id, let secret, let token):
            return StaticCredentialProvider(
                AccessKeyCredential(accessKeyID: id, accessKeySecret: secret.revealed, securityToken: token?.revealed))
        case .ecsRAMRole(let roleName):
            return ECSRAMRoleCredentialProvider(
                metadata: metadata, roleName: roleName, transport: transport, sleeper: sleeper, now: now)
        case .cliProfile(let profile, let configFile):
            let section = "credentials \(credentials.name)"
            let bytes: [UInt8]
            do {
                bytes = try readFile(configFile)
            } catch {
                throw Failure(section: section, reason: "cannot read \(configFile): \(error)")
            }
            let resolved: CLIProfileCredentials.Resolved
            do {
                resolved = try CLIProfileCredentials.resolve(
                    configJSON: bytes, profile: profile, configFile: configFile)
            } catch {
                throw Failure(section: section, reason: error.description)
            }
            switch resolved {
            case .fixed(let credential):
                return StaticCredentialProvider(credential)
            case .ecsRAMRole(let roleName):
                return ECSRAMRoleCredentialProvider(
                    metadata: metadata, roleName: roleName, transport: transport, sleeper: sleeper, now: now)
            case .assumeRole(let base, let roleARN, let sessionName, let externalID, let durationSeconds):
                let baseSTS = STSClient(
                    rpc: rpc(credentials.name, StaticCredentialProvider(base), options), endpoint: sts)
                return AssumeRoleCredentialProvider(
                    sts: baseSTS, roleARN: roleARN, externalID: externalID, sessionName: sessionName ?? "rootwatchd",
                    durationSeconds: durationSeconds ?? 3600, now: now)
            }
        }
    }
}

/// The version rootwatchd reports in `--version`, the user agent and webhook payloads.
package enum RootwatchVersion {
    package static let current = "0.1.0"
}
