import Foundation
import RootwatchCore
import Testing

@Suite struct ConfigurationSummaryTests {
    @Test func summaryShowsSourcesNeverSecrets() throws {
        var files = MemoryFiles.withSecrets()
        files["/etc/rootwatchd/secrets/team"] = "SEC0123456789abcdef\n"
        let text =
            try ConfigFixtures.text("good/full-example.conf") + """

                [webhook team]
                url = https://oapi.dingtalk.com/robot/send?access_token=DingTalkTokenValue
                format = dingtalk
                secret_file = /etc/rootwatchd/secrets/team

                [webhook chat]
                url = https://hooks.slack.com/services/T0000/B0000/SlackPathToken
                format = slack

                """
        let summary = ConfigurationSummary.render(try files.load(text))

        for secret in [
            MemoryFiles.mainSecret, MemoryFiles.webhookSecret, "SEC0123456789abcdef", "DingTalkTokenValue",
            "SlackPathToken", "LTAI5tExampleKeyabcd",
        ] {
            #expect(!summary.contains(secret), "summary shows \(secret)")
        }
        #expect(summary.contains("access_key_id     = LTAI****abcd"))
        #expect(summary.contains("access_key_secret = file /etc/rootwatchd/secrets/main"))
        #expect(summary.contains("url      = https://oapi.dingtalk.com/robot/send?access_token=****"))
        #expect(summary.contains("url      = https://hooks.slack.com/services/****/****/****"))
        #expect(summary.contains("secret   = file /etc/rootwatchd/secrets/team"))
        #expect(summary.contains("kinds    = root-console-logon root-access-key-used"))
        #expect(summary.contains("role_arn          = acs:ram::1234567890123456:role/rootwatchd-audit"))
        #expect(summary.contains("actiontrail       = yes (cn-hangzhou)"))
        #expect(
            summary.hasPrefix(
                "configuration valid: 2 accounts, 3 webhooks\nfiles read:\n  /etc/rootwatchd/rootwatchd.conf\n"))
    }

    @Test func summaryOfEnvironmentAndInlineSources() throws {
        var files = MemoryFiles()
        files.modes[MemoryFiles.mainFile] = 0o600
        let text = """
            [credentials env]
            source = environment

            [credentials inline]
            access_key_id = LTAI5tInlineKeyWxyz
            access_key_secret = InlineSecretValue

            [account prod]
            credentials = env

            """
        let environment = [
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tEnvironmentKey", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "EnvSecretValue",
        ]
        let summary = ConfigurationSummary.render(try files.load(text, environment: environment))
        #expect(!summary.contains("InlineSecretValue") && !summary.contains("EnvSecretValue"))
        #expect(summary.contains("access_key_id     = LTAI****tKey"))
        #expect(summary.contains("access_key_secret = environment"))
        #expect(summary.contains("access_key_secret = inline"))
        #expect(summary.contains("LTAI****Wxyz"))
    }

    @Test(arguments: [
        ("https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/services/****/****/****"),
        (
            "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=xyz",
            "https://oapi.dingtalk.com/robot/send?access_token=****&timestamp=1&sign=****"
        ),
        (
            "https://open.feishu.cn/open-apis/bot/v2/hook/0c5d-token",
            "https://open.feishu.cn/open-apis/bot/v2/hook/****"
        ),
        (
            "https://prod-1.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=S",
            "https://prod-1.westus.logic.azure.com:443/workflows/****/****/****/****/****?api-version=1&sig=****"
        ),
        (
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K-123",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****"
        ),
        ("https://user:pass@example.com/x?Token=t#frag", "https://****@example.com/x?Token=****"),
        ("https://hooks.example.com/rootwatch", "https://hooks.example.com/rootwatch"),
        ("http://[::1]:8080/hooks/abc", "http://[::1]:8080/hooks/****"),
        ("not a url", "****"),
    ])
    func masksTokensInURLs(_ url: String, _ masked: String) {
        #expect(maskURL(url) == masked)
    }

    @Test func secretNeverPrints() {
        let secret = Secret("TopSecretValue")
        #expect("\(secret)" == "<secret>")
        #expect(String(reflecting: secret) == "<secret>")
        var dumped = ""
        dump(secret, to: &dumped)
        var dumpedCredentials = ""
        dump(
            CredentialsSource.accessKey(id: "LTAI5tExampleKeyabcd", secret: secret, origin: .inline),
            to: &dumpedCredentials)
        #expect(!dumped.contains("TopSecretValue"))
        #expect(!dumpedCredentials.contains("TopSecretValue"))
        #expect(
            !"\(CredentialsSource.environment(id: "x", secret: secret, securityToken: secret))".contains("TopSecret"))
    }
}
