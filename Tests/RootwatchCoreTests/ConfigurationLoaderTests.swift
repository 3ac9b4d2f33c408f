import Foundation
import RootwatchCore
import Testing

private let main = MemoryFiles.mainFile
private let base = """
    [credentials main]
    access_key_id = LTAI5tExampleKeyabcd
    access_key_secret_file = /etc/rootwatchd/secrets/main

    [account prod]
    credentials = main

    """

@Suite struct ConfigurationLoaderTests {
    @Test func fullDocumentedExampleLoads() throws {
        let config = try MemoryFiles.withSecrets().load(try ConfigFixtures.text("good/full-example.conf"))

        #expect(config.files == [main])
        var daemon = DaemonConfiguration()
        daemon.signature = .v3
        #expect(config.daemon == daemon)
        #expect(config.daemon.metricsFile == nil)  // `metrics_file =` with only a comment means unset
        #expect(config.endpoints == EndpointConfiguration())
        #expect(config.endpoints.actiontrail(region: "cn-hangzhou") == "https://actiontrail.cn-hangzhou.aliyuncs.com")

        #expect(
            config.credentials == [
                CredentialsConfiguration(
                    name: "main",
                    source: .accessKey(
                        id: "LTAI5tExampleKeyabcd", secret: Secret(MemoryFiles.mainSecret),
                        origin: .file(path: "/etc/rootwatchd/secrets/main")))
            ])

        let prod = try #require(config.account(named: "prod"))
        #expect(prod.credentials == "main")
        #expect(prod.roleARN == "acs:ram::1234567890123456:role/rootwatchd-audit")
        #expect(prod.externalID == "...")
        #expect(prod.roleSessionName == "rootwatchd")
        #expect(prod.window == .seconds(86_400))
        #expect(prod.interval == .seconds(900))
        #expect(prod.staleAfter == .seconds(6 * 3_600))
        #expect(prod.actiontrail && prod.actiontrailRegion == "cn-hangzhou")
        let staging = try #require(config.account(named: "staging"))
        #expect(staging.window == .seconds(7 * 86_400) && !staging.actiontrail && staging.roleARN == nil)

        let ops = try #require(config.webhook(named: "ops"))
        #expect(ops.url == "https://hooks.example.com/rootwatch")
        #expect(ops.format == .standard)
        #expect(ops.secret == Secret(MemoryFiles.webhookSecret))  // trailing newline removed
        #expect(ops.secretOrigin == .file(path: "/etc/rootwatchd/secrets/ops"))
        #expect(ops.accounts == ["prod", "staging"])
        #expect(ops.kinds == [.rootConsoleLogon, .rootAccessKeyUsed])
        #expect(ops.maxAge == .seconds(86_400))
        #expect(ops.accepts(account: "prod", kind: .rootConsoleLogon))
        #expect(!ops.accepts(account: "prod", kind: .rootMFADisabled))
    }

    @Test func dropInsApplyInLexicalOrderAndLaterValuesWin() throws {
        var files = MemoryFiles.withSecrets()
        for (path, bytes) in try ConfigFixtures.tree("good/dropins", mountedAt: "/etc/rootwatchd") {
            files.files[path] = bytes
        }
        let config = try ConfigurationLoader(fileSystem: files).load(mainFile: main)

        // README, *.conf.disabled and hidden files are not drop-ins.
        #expect(
            config.files == [
                main, "/etc/rootwatchd/rootwatchd.conf.d/10-a.conf", "/etc/rootwatchd/rootwatchd.conf.d/20-b.conf",
            ])
        #expect(config.daemon.interval == .seconds(30 * 60))  // main 15m, 10-a 20m, 20-b 30m
        #expect(config.daemon.concurrency == 8)  // main 4, 10-a 8
        #expect(config.daemon.window == .seconds(7 * 86_400))  // only in main
        let prod = try #require(config.account(named: "prod"))
        #expect(prod.window == .seconds(3 * 86_400))  // main 24h, 10-a 2d, 20-b 3d
        #expect(prod.interval == .seconds(3_600))  // only in 10-a
        #expect(prod.credentials == "main")  // only in main: sections merge across files
        #expect(config.accounts.map(\.name) == ["prod", "staging"])
    }

    @Test func dropInNamesSortByBytes() {
        #expect(
            ConfigurationLoader.dropInNames(["b.conf", "10-x.conf", "A.conf", "9.conf", ".h.conf", "x.conf~", "c.txt"])
                == ["10-x.conf", "9.conf", "A.conf", "b.conf"])
    }

    @Test func emptyValueResetsToTheDefault() throws {
        var files = MemoryFiles.withSecrets()
        files["\(main).d/50-reset.conf"] = "[daemon]\ninterval =\n"
        let config = try files.load("[daemon]\ninterval = 30m\n" + base)
        #expect(config.daemon.interval == .seconds(15 * 60))
    }

    @Test func secretFromCredentialsDirectory() throws {
        var files = MemoryFiles()
        files["/run/credentials/rootwatchd.service/main"] = "FromCredentialsDirectory\n"
        let config = try files.load(
            "[credentials main]\naccess_key_id = LTAI5tExampleKeyabcd\naccess_key_secret_credential = main\n"
                + "[account prod]\ncredentials = main\n",
            credentialsDirectory: "/run/credentials/rootwatchd.service")
        #expect(
            config.credentials.first?.source
                == .accessKey(
                    id: "LTAI5tExampleKeyabcd", secret: Secret("FromCredentialsDirectory"),
                    origin: .credential(name: "main")))
    }

    @Test func secretFromTheUnitsSecretsDirectoryCredential() throws {
        // LoadCredential=secret:/etc/rootwatchd/secrets names each file secret_<file>; the plain name
        // finds it, and an exact name wins over the prefixed one.
        var files = MemoryFiles()
        files["/run/credentials/rootwatchd.service/secret_main"] = "FromSecretsDirectory\n"
        let text =
            "[credentials main]\naccess_key_id = LTAI5tExampleKeyabcd\naccess_key_secret_credential = main\n"
            + "[account prod]\ncredentials = main\n"
        let config = try files.load(text, credentialsDirectory: "/run/credentials/rootwatchd.service")
        #expect(
            config.credentials.first?.source
                == .accessKey(
                    id: "LTAI5tExampleKeyabcd", secret: Secret("FromSecretsDirectory"),
                    origin: .credential(name: "main")))
        files["/run/credentials/rootwatchd.service/main"] = "Exact\n"
        let exact = try files.load(text, credentialsDirectory: "/run/credentials/rootwatchd.service")
        #expect(
            exact.credentials.first?.source
                == .accessKey(id: "LTAI5tExampleKeyabcd", secret: Secret("Exact"), origin: .credential(name: "main")))
    }

    @Test func secretFilesLoseOnlyOneTrailingNewline() throws {
        for (content, expected) in [("abc\n", "abc"), ("abc", "abc"), ("abc\r\n", "abc")] {
            var files = MemoryFiles()
            files["/etc/rootwatchd/secrets/main"] = content
            let config = try files.load(base)
            #expect(
                config.credentials.first?.source
                    == .accessKey(
                        id: "LTAI5tExampleKeyabcd", secret: Secret(expected),
                        origin: .file(path: "/etc/rootwatchd/secrets/main")))
        }
        var files = MemoryFiles()
        files["/etc/rootwatchd/secrets/main"] = "abc\n\n"
        #expect(throws: ConfigurationError.self) { try files.load(base) }
        files["/etc/rootwatchd/secrets/main"] = "\n"
        let error = #expect(throws: ConfigurationError.self) { try files.load(base) }
        #expect(error?.reason == "/etc/rootwatchd/secrets/main is empty")
    }

    @Test func environmentSourceResolvesAtLoad() throws {
        let text = "[credentials env]\nsource = environment\n\n[account prod]\ncredentials = env\n"
        let environment = [
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.NTokenKeyId1234",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "EnvironmentSecretValue",
            "ALIBABA_CLOUD_SECURITY_TOKEN": "EnvironmentTokenValue",
        ]
        let config = try MemoryFiles().load(text, environment: environment)
        #expect(
            config.credentials.first?.source
                == .environment(
                    id: "STS.NTokenKeyId1234", secret: Secret("EnvironmentSecretValue"),
                    securityToken: Secret("EnvironmentTokenValue")))
    }

    @Test func inlineSecretAcceptedInAPrivateFile() throws {
        var files = MemoryFiles()
        files.modes[main] = 0o600
        let config = try files.load(
            "[credentials main]\naccess_key_id = LTAI5tExampleKeyabcd\naccess_key_secret = InlineSecretValue\n"
                + "[account prod]\ncredentials = main\n")
        #expect(
            config.credentials.first?.source
                == .accessKey(id: "LTAI5tExampleKeyabcd", secret: Secret("InlineSecretValue"), origin: .inline))
    }

    @Test func otherCredentialSources() throws {
        let text = """
            [credentials role]
            source = ecs-ram-role
            ram_role_name = rootwatchd

            [credentials discovered]
            source = ecs-ram-role

            [credentials cli]
            source = cli-profile
            profile = audit

            [account prod]
            credentials = role

            """
        var files = MemoryFiles()
        files["/home/ops/.aliyun/config.json"] = "{}"
        let config = try files.load(text, environment: ["HOME": "/home/ops"])
        #expect(
            config.credentials.map(\.source) == [
                .ecsRAMRole(roleName: "rootwatchd"), .ecsRAMRole(roleName: nil),
                .cliProfile(profile: "audit", configFile: "/home/ops/.aliyun/config.json"),
            ])
    }

    @Test(arguments: [
        "https://hooks.example.com/rootwatch", "http://127.0.0.1:8080/hook", "http://127.1.2.3/x", "http://[::1]:9000/",
        "http://localhost/hook", "HTTP://LOCALHOST:80/",
    ])
    func acceptsHTTPSAndLoopbackHTTP(_ url: String) throws {
        let text = base + "[endpoints]\nims = \(url)\n\n[webhook w]\nurl = \(url)\nformat = slack\n"
        let config = try MemoryFiles.withSecrets().load(text)
        #expect(config.endpoints.ims == url)
        #expect(config.webhooks.first?.url == url)
    }

    @Test(arguments: [
        "http://127.0.0.1.example.com/", "http://10.0.0.1/", "http://[::2]/", "ftp://example.com/", "https://",
        "example.com", "https://exa mple.com/",
    ])
    func rejectsOtherURLs(_ url: String) {
        #expect(EndpointPolicy.standard.problem(with: url) != nil)
    }

    @Test func metadataAllowsItsFixedPlainHTTPAddressOnly() {
        #expect(EndpointPolicy.metadataService.problem(with: "http://100.100.100.200") == nil)
        #expect(EndpointPolicy.metadataService.problem(with: "http://100.100.100.201") != nil)
        #expect(EndpointPolicy.standard.problem(with: "http://100.100.100.200") != nil)
    }
}

@Suite struct ConfigurationWithoutSecretsTests {
    /// `status` loads the configuration without reading secrets: a credential that only the service can
    /// read, an unreadable secret file or missing environment variables do not stop it, and no secret
    /// value is ever held.
    @Test func secretsAreNamedButNotRead() throws {
        let text = """
            [credentials main]
            access_key_id = LTAI5tExampleKeyabcd
            access_key_secret_credential = main
            [credentials file]
            access_key_id = LTAI5tExampleKeyabcd
            access_key_secret_file = /nonexistent/secret
            [credentials env]
            source = environment
            [account prod]
            credentials = main
            [webhook ops]
            url = https://hooks.example.com/x
            secret_credential = ops
            """
        var files = MemoryFiles()
        files[MemoryFiles.mainFile] = text
        let loader = ConfigurationLoader(fileSystem: files, resolveSecrets: false)
        let configuration = try loader.load(mainFile: MemoryFiles.mainFile)
        #expect(configuration.accounts.map(\.name) == ["prod"])
        #expect(configuration.webhooks.first?.secret == Secret(""))
        #expect(
            configuration.credentials.first { $0.name == "file" }?.source
                == .accessKey(
                    id: "LTAI5tExampleKeyabcd", secret: Secret(""), origin: .file(path: "/nonexistent/secret")))
        // The same file with secrets resolved fails on the first unreadable one.
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(fileSystem: files).load(mainFile: MemoryFiles.mainFile)
        }
    }
}

@Suite struct RequestTimeoutTests {
    static let base = """
        [credentials main]
        access_key_id = LTAI5tExampleKeyabcd
        access_key_secret = x
        [account prod]
        credentials = main
        """

    @Test func requestTimeoutDefaultsToThirtySecondsAndAcceptsADuration() throws {
        var files = MemoryFiles()
        files.modes[MemoryFiles.mainFile] = 0o600
        #expect(try files.load(Self.base).daemon.requestTimeout == .seconds(30))
        #expect(try files.load("[daemon]\nrequest_timeout = 10s\n" + Self.base).daemon.requestTimeout == .seconds(10))
        let error = #expect(throws: ConfigurationError.self) {
            try files.load("[daemon]\nrequest_timeout = 0s\n" + Self.base)
        }
        #expect(error?.key == "request_timeout")
    }
}
