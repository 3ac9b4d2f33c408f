import Foundation
import RootwatchCore
import Testing

/// One bad fixture and the exact line an operator must see for it.
struct BadConfigCase: Sendable, CustomTestStringConvertible {
    var fixture: String
    var error: String
    var testDescription: String { fixture }
}

private let main = MemoryFiles.mainFile
private let plainHTTP = "uses plain http:// for a host that is not loopback (127.0.0.0/8, ::1, localhost): use https://"

private let badCases: [BadConfigCase] = [
    .init(
        fixture: "unknown-section",
        error: "\(main):8: unknown section [acount staging] (expected [daemon], [endpoints], [credentials NAME], "
            + "[account NAME] or [webhook NAME])"),
    .init(fixture: "unknown-key", error: "\(main): [daemon] intervall: unknown key"),
    .init(
        fixture: "bad-duration", error: "\(main): [account prod] window: \"7x\" is not a duration (use 30m, 24h, 7d)"),
    .init(fixture: "interval-below-minimum", error: "\(main): [daemon] interval: \"30s\" is below the minimum of 1m"),
    .init(fixture: "bad-jitter", error: "\(main): [daemon] jitter: \"10\" is not a percentage from 0% to 50%"),
    .init(
        fixture: "concurrency-zero", error: "\(main): [daemon] concurrency: \"0\" is not a whole number from 1 to 1024"),
    .init(fixture: "duplicate-account", error: "\(main):8: duplicate section [account prod] (first at line 5)"),
    .init(fixture: "duplicate-key", error: "\(main): [account prod] window: set twice in this file (lines 7 and 8)"),
    .init(
        fixture: "missing-credentials", error: "\(main): [account prod] credentials: there is no [credentials other]"),
    .init(fixture: "webhook-unknown-account", error: "\(main): [webhook ops] accounts: there is no [account staging]"),
    .init(
        fixture: "unknown-kind",
        error: "\(main): [webhook ops] kinds: \"root-login\" is not a finding kind (root-console-logon, "
            + "root-access-key-used, root-mfa-disabled, root-access-key-active, account-stale, account-recovered, test)"
    ),
    .init(
        fixture: "bad-format",
        error: "\(main): [webhook ops] format: \"email\" is not standard, slack, dingtalk, lark, teams or wecom"),
    .init(fixture: "http-endpoint", error: "\(main): [endpoints] ims: \"http://ims.example.com\" \(plainHTTP)"),
    // The URL is the credential for Slack: the error shows it masked.
    .init(
        fixture: "http-webhook",
        error: "\(main): [webhook team] url: \"http://hooks.slack.com/services/****/****/****\" \(plainHTTP)"),
    .init(
        fixture: "missing-secret",
        error: "\(main): [credentials main]: no secret: set access_key_secret_file, access_key_secret_credential "
            + "or access_key_secret"),
    .init(
        fixture: "inline-secret",
        error: "\(main): [credentials main] access_key_secret: secret inline in a file readable by others: "
            + "chmod 600 \(main) or use access_key_secret_file"),
    .init(
        fixture: "secret-file-missing",
        error: "\(main): [credentials main] access_key_secret_file: cannot read /etc/rootwatchd/secrets/absent: "
            + "No such file or directory"),
    .init(
        fixture: "bad-role-arn",
        error: "\(main): [account prod] role_arn: \"acs:ram::1234567890123456:user/alice\" is not a role ARN "
            + "(acs:ram::<account id>:role/<name>)"),
    .init(
        fixture: "actiontrail-without-region",
        error: "\(main): [account prod] actiontrail_region: missing: required with actiontrail = yes (e.g. cn-hangzhou)"
    ),
    .init(
        fixture: "standard-secret-not-whsec",
        error: "\(main): [webhook ops] secret_file: is not a Standard Webhooks secret "
            + "(whsec_ followed by base64 of 24 to 64 bytes)"),
    .init(fixture: "syntax-missing-equals", error: "\(main):7: expected \"[section]\", \"key = value\" or a comment"),
    .init(fixture: "syntax-unclosed-header", error: "\(main):5: section header has no closing \"]\""),
    .init(fixture: "no-accounts", error: "\(main): no [account NAME] section: there is nothing to watch"),
    .init(
        fixture: "slack-with-secret",
        error: "\(main): [webhook team] secret_file: format slack does not sign requests (its URL is the secret): "
            + "remove it"),
    .init(
        fixture: "two-secrets",
        error: "\(main): [credentials main] access_key_secret_credential: set only one of access_key_secret_file, "
            + "access_key_secret_credential or access_key_secret"),
    .init(fixture: "key-before-section", error: "\(main):1: \"interval\" is set before any [section]"),
    .init(fixture: "bad-boolean", error: "\(main): [account prod] actiontrail: \"maybe\" is not yes or no"),
    .init(
        fixture: "stale-shorter-than-interval",
        error: "\(main): [account prod] stale_after: 6h is shorter than interval 12h: "
            + "the account would go stale between scans"),
    .init(
        fixture: "credential-without-directory",
        error: "\(main): [credentials main] access_key_secret_credential: $CREDENTIALS_DIRECTORY is not set "
            + "(use LoadCredential= in the unit)"),
    .init(
        fixture: "environment-with-key",
        error: "\(main): [credentials main] access_key_id: not used with source = environment"),
    .init(
        fixture: "bad-section-name",
        error: "\(main):5: [account prod/eu]: expected [account NAME] with NAME of 1 to 32 letters, digits, \"_\", "
            + "\".\" or \"-\""),
    .init(
        fixture: "unknown-source",
        error: "\(main): [credentials main] source: \"magic\" is not environment, ecs-ram-role or cli-profile"),
    .init(fixture: "webhook-without-url", error: "\(main): [webhook ops] url: missing"),
    // A bad URL is echoed only masked: it may hold a token.
    .init(
        fixture: "webhook-url-not-a-url",
        error: "\(main): [webhook team] url: \"https://hooks.slack.com/services/****/****/****\" is not a URL: "
            + "it contains a space or a control character"),
]

@Suite struct ConfigurationBadFileTests {
    @Test(arguments: badCases)
    func rejectsWithExactError(_ badCase: BadConfigCase) throws {
        let text = try ConfigFixtures.text("bad/\(badCase.fixture).conf")
        let error = #expect(throws: ConfigurationError.self) { try MemoryFiles.withSecrets().load(text) }
        #expect(error?.description == badCase.error)
        // No error ever repeats a secret, whatever the fixture.
        for secret in [MemoryFiles.mainSecret, MemoryFiles.webhookSecret, MemoryFiles.plainSecret, "InlineSecretValue"]
        {
            #expect(error?.description.contains(secret) == false)
        }
    }

    @Test func everyBadFixtureIsInTheTable() throws {
        let names = try FileManager.default.contentsOfDirectory(
            atPath: ConfigFixtures.root.appendingPathComponent("bad").path)
        #expect(Set(names) == Set(badCases.map { $0.fixture + ".conf" }))
    }

    @Test func environmentSourceWithoutVariablesNamesTheMissingVariable() {
        let text = "[credentials env]\nsource = environment\n\n[account prod]\ncredentials = env\n"
        let error = #expect(throws: ConfigurationError.self) {
            try MemoryFiles().load(text, environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tEnvironmentKey"])
        }
        #expect(
            error?.description
                == "\(main): [credentials env] source: environment: ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set")
    }

    @Test func credentialFileMissingInCredentialsDirectoryNamesThePath() {
        let text =
            "[credentials main]\naccess_key_id = LTAI5tExampleKeyabcd\naccess_key_secret_credential = main\n"
            + "[account prod]\ncredentials = main\n"
        let error = #expect(throws: ConfigurationError.self) {
            try MemoryFiles().load(text, credentialsDirectory: "/run/credentials/rootwatchd.service")
        }
        #expect(
            error?.description
                == "\(main): [credentials main] access_key_secret_credential: cannot read "
                + "/run/credentials/rootwatchd.service/main: No such file or directory")
    }

    @Test func reportsEveryErrorInFileOrderAndLoadThrowsTheFirst() throws {
        var files = MemoryFiles.withSecrets()
        files[main] = "[daemon]\nwindow = 7x\n\n[account prod]\ncredentials = nowhere\n"
        files["\(main).d/10-more.conf"] = "[daemon]\nconcurrency = 0\n"
        files["\(main).d/05-first.conf"] = "[daemon]\njitter = 10\n"
        let loader = ConfigurationLoader(fileSystem: files)
        let all = #expect(throws: ConfigurationErrors.self) { try loader.loadReportingAll(mainFile: main) }
        #expect(
            all?.errors.map(\.description) == [
                "\(main): [daemon] window: \"7x\" is not a duration (use 30m, 24h, 7d)",
                "\(main): [account prod] credentials: there is no [credentials nowhere]",
                "\(main).d/05-first.conf: [daemon] jitter: \"10\" is not a percentage from 0% to 50%",
                "\(main).d/10-more.conf: [daemon] concurrency: \"0\" is not a whole number from 1 to 1024",
            ])
        let first = #expect(throws: ConfigurationError.self) { try loader.load(mainFile: main) }
        #expect(first == all?.first)
    }

    @Test func missingMainFileIsAnError() {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(fileSystem: MemoryFiles()).load(mainFile: main)
        }
        #expect(error?.description == "\(main): cannot read: No such file or directory")
    }
}
