import AlibabaCloud
import Foundation
import RootwatchCore
import Testing

/// Fixed alerts, secrets and times for the webhook tests, so every rendering is reproducible.
enum WebhookSamples {
    static let context = WebhookContext(host: "bastion-01", version: "0.1.0")
    /// 2025-01-01T00:00:00Z, the attempt time of the webhooks.md §9 vectors.
    static let attempt = Date(timeIntervalSince1970: 1_735_689_600)
    static let standardSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let dingTalkSecret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    static let larkSecret = "rootwatchdTestSecret01"
    static let urls: [WebhookFormat: String] = [
        .standard: "https://hooks.example.com/rootwatch",
        .dingtalk: "https://oapi.dingtalk.com/robot/send?access_token="
            + String(repeating: "0123456789abcdef", count: 4),
        .lark: "https://open.feishu.cn/open-apis/bot/v2/hook/2f1a9c1e-7b3d-4c60-9e8f-0a1b2c3d4e5f",
        .slack: "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        .teams: "https://prod-01.westeurope.logic.azure.com:443/workflows/0123/triggers/manual/paths/invoke"
            + "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=abcdefghijklmnopqrstuvwxyz0123456789",
        .wecom: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
    ]

    /// A root console logon seen through ActionTrail, with every sign-in detail known.
    static var logon: Alert {
        Alert(
            kind: .rootConsoleLogon, account: "prod", accountID: "1234567890123456",
            activityTime: time("2026-12-04T10:00:03Z"), detectedAt: time("2026-12-04T10:04:11Z"), window: "7d",
            source: .actiontrail, sourceIP: "203.0.113.7",
            userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", mfaChecked: false,
            eventID: "6f1c2a4e-0b7d-4c5e-9a8b-1d2e3f4a5b6c", region: "cn-hangzhou")
    }

    /// A root AccessKey use from the credential report: no sign-in details.
    static var keyUsed: Alert {
        Alert(
            kind: .rootAccessKeyUsed, account: "staging", accountID: nil, activityTime: time("2026-12-04T07:12:00Z"),
            detectedAt: time("2026-12-04T08:01:30Z"), window: "24h", source: .credentialReport, keySlot: "access_key_2",
            reportTime: time("2026-12-04T08:00:00Z"))
    }

    /// The configured webhook of `format`, signed with the §9 vector secret where the format signs.
    static func configuration(_ format: WebhookFormat, signed: Bool = true) -> WebhookConfiguration {
        var configuration = WebhookConfiguration(name: "ops", url: urls[format]!, format: format)
        if signed {
            switch format {
            case .standard: configuration.secret = Secret(standardSecret)
            case .dingtalk: configuration.secret = Secret(dingTalkSecret)
            case .lark: configuration.secret = Secret(larkSecret)
            case .slack, .teams, .wecom: break
            }
        }
        return configuration
    }

    static func renderer(_ format: WebhookFormat, signed: Bool = true) -> any WebhookRenderer {
        WebhookRenderers.renderer(for: configuration(format, signed: signed), context: context)
    }

    static func request(_ format: WebhookFormat, _ alert: Alert = logon, at date: Date = attempt) throws -> HTTPRequest
    {
        try renderer(format).request(for: alert, attemptTime: date)
    }
}

/// Parses a rendered body; fails the test when it is not JSON.
func parsedJSON(_ bytes: [UInt8]) throws -> JSONValue {
    try JSONValue.parse(bytes)
}

/// A response with a JSON or text body.
func response(_ status: Int, _ body: String = "", headers: [(name: String, value: String)] = []) -> HTTPResponse {
    HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
}
