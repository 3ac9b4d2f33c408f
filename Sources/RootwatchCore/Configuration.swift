/// The validated configuration: defaults applied, references checked, secrets already read.
///
/// Built only by `ConfigurationLoader` (product.md §3), so a value of this type is always usable: every
/// account names an existing credentials section, every duration is in range, every URL is allowed.
package struct Configuration: Sendable, Equatable {
    /// Files read, in the order their values were applied (main file, then drop-ins).
    package var files: [String]
    package var daemon: DaemonConfiguration
    package var endpoints: EndpointConfiguration
    /// `[credentials NAME]` sections, in order of first appearance.
    package var credentials: [CredentialsConfiguration]
    /// `[account NAME]` sections, in order of first appearance; never empty.
    package var accounts: [AccountConfiguration]
    /// `[webhook NAME]` sections, in order of first appearance.
    package var webhooks: [WebhookConfiguration]

    package init(
        files: [String],
        daemon: DaemonConfiguration = DaemonConfiguration(),
        endpoints: EndpointConfiguration = EndpointConfiguration(),
        credentials: [CredentialsConfiguration],
        accounts: [AccountConfiguration],
        webhooks: [WebhookConfiguration] = []
    ) {
        self.files = files
        self.daemon = daemon
        self.endpoints = endpoints
        self.credentials = credentials
        self.accounts = accounts
        self.webhooks = webhooks
    }

    /// The `[credentials NAME]` section an account refers to.
    package func credentials(named name: String) -> CredentialsConfiguration? {
        credentials.first { $0.name == name }
    }

    package func account(named name: String) -> AccountConfiguration? {
        accounts.first { $0.name == name }
    }

    package func webhook(named name: String) -> WebhookConfiguration? {
        webhooks.first { $0.name == name }
    }
}

/// How requests are signed: `v3` is ACS3-HMAC-SHA256 (the default), `v1` is HMAC-SHA1.
package enum SignatureScheme: String, Sendable, Equatable, CaseIterable {
    case v3
    case v1
}

/// `[daemon]`: scheduling and process-wide settings.
package struct DaemonConfiguration: Sendable, Equatable {
    /// How often each account's credential report is requested; at least one minute.
    package var interval: Duration = .seconds(15 * 60)
    /// Root activity newer than `now - window` is a finding.
    package var window: Duration = .seconds(7 * 86_400)
    /// Random spread of each account's schedule, in percent of `interval` (0…50).
    package var jitterPercent: Int = 10
    /// Accounts scanned at once (1…1024).
    package var concurrency: Int = 16
    /// No successful scan for this long raises `account-stale`.
    package var staleAfter: Duration = .seconds(6 * 3_600)
    /// ConsoleSignin polling period for accounts with `actiontrail = yes`.
    package var actiontrailInterval: Duration = .seconds(5 * 60)
    /// Each ActionTrail poll re-reads this much before the last checked time.
    package var actiontrailOverlap: Duration = .seconds(10 * 60)
    /// Prometheus textfile-collector output path; nil when not configured.
    package var metricsFile: String?
    package var signature: SignatureScheme = .v3
    /// Longest one Alibaba Cloud request may take before it counts as a (retryable) timeout. Not in
    /// the product contract: for slow proxies and private endpoints.
    package var requestTimeout: Duration = .seconds(30)

    package init() {}
}

/// `[endpoints]`: service URLs, overridable for private endpoints, proxies and tests.
package struct EndpointConfiguration: Sendable, Equatable {
    package static let actiontrailRegionPlaceholder = "{region}"

    package var ims = "https://ims.aliyuncs.com"
    package var sts = "https://sts.aliyuncs.com"
    /// A URL template; `{region}` is replaced by the account's `actiontrail_region`.
    package var actiontrail = "https://actiontrail.{region}.aliyuncs.com"
    /// The ECS metadata service (plain `http://` is allowed for its fixed address).
    package var metadata = "http://100.100.100.200"

    package init() {}

    /// The ActionTrail endpoint for `region`.
    package func actiontrail(region: String) -> String {
        actiontrail.replacing(Self.actiontrailRegionPlaceholder, with: region)
    }
}

/// `[credentials NAME]`: a base identity that accounts refer to by name.
package struct CredentialsConfiguration: Sendable, Equatable {
    package var name: String
    package var source: CredentialsSource

    package init(name: String, source: CredentialsSource) {
        self.name = name
        self.source = source
    }
}

/// Where a base identity comes from. Static keys are read at load time; the others are resolved by the
/// credential providers when used.
package enum CredentialsSource: Sendable, Equatable {
    /// `access_key_id` plus a secret from a file, a systemd credential, or inline.
    case accessKey(id: String, secret: Secret, origin: SecretOrigin)
    /// `source = environment`: `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `_SECURITY_TOKEN`, read at load.
    case environment(id: String, secret: Secret, securityToken: Secret?)
    /// `source = ecs-ram-role`: the instance RAM role; nil role name means discover it.
    case ecsRAMRole(roleName: String?)
    /// `source = cli-profile`: a profile of the aliyun CLI's `config.json`; nil profile means the
    /// file's `current`.
    case cliProfile(profile: String?, configFile: String)
}

/// `[account NAME]`: one Alibaba Cloud account to watch, with `[daemon]` defaults already applied.
package struct AccountConfiguration: Sendable, Equatable {
    package var name: String
    /// The `[credentials NAME]` section to sign with (or to assume `roleARN` from).
    package var credentials: String
    /// `acs:ram::<account id>:role/<name>`; nil means use the base identity directly.
    package var roleARN: String?
    package var externalID: String?
    /// 2–64 characters of `[A-Za-z0-9.@_-]`; `rootwatchd` unless set.
    package var roleSessionName: String = "rootwatchd"
    package var interval: Duration
    package var window: Duration
    package var staleAfter: Duration
    package var actiontrail: Bool = false
    /// Required when `actiontrail` is on.
    package var actiontrailRegion: String?

    package init(name: String, credentials: String, daemon: DaemonConfiguration = DaemonConfiguration()) {
        self.name = name
        self.credentials = credentials
        interval = daemon.interval
        window = daemon.window
        staleAfter = daemon.staleAfter
    }
}

/// The payload dialect of a webhook.
package enum WebhookFormat: String, Sendable, Equatable, CaseIterable {
    case standard, slack, dingtalk, lark, teams, wecom

    /// Whether the target signs requests with a shared secret; `nil` when a secret is optional.
    var secretRule: SecretRule {
        switch self {
        case .standard: .required
        case .dingtalk, .lark: .optional
        case .slack, .teams, .wecom: .forbidden
        }
    }

    enum SecretRule { case required, optional, forbidden }
}

/// `[webhook NAME]`: one alert receiver.
package struct WebhookConfiguration: Sendable, Equatable {
    package var name: String
    package var url: String
    package var format: WebhookFormat
    /// The signing secret (`whsec_…` for `standard`, DingTalk's `SEC…`, Lark's secret); nil when unsigned.
    package var secret: Secret?
    package var secretOrigin: SecretOrigin?
    /// Only alerts about these accounts; nil means all.
    package var accounts: [String]?
    /// Only alerts of these kinds; nil means all.
    package var kinds: [FindingKind]?
    /// A failed delivery is retried this long, then dead-lettered.
    package var maxAge: Duration = .seconds(24 * 3_600)
    /// CA bundle to verify the receiver with instead of the system store.
    package var caFile: String?

    package init(name: String, url: String, format: WebhookFormat) {
        self.name = name
        self.url = url
        self.format = format
    }

    /// Whether an alert about `account` of `kind` goes to this webhook.
    package func accepts(account: String, kind: FindingKind) -> Bool {
        (accounts?.contains(account) ?? true) && (kinds?.contains(kind) ?? true)
    }
}
