import AlibabaCloud
import FoundationEssentials

/// `format = dingtalk`: a DingTalk custom robot markdown message, signed with 加签 when a secret is set
/// (webhooks.md §2).
///
/// The signature travels in the URL (`&timestamp=<ms>&sign=<encoded once>`), so the body is the same
/// bytes on every attempt; `msgUuid` is the alert id, which DingTalk uses to drop a duplicate sent
/// after a timeout.
package struct WebhookDingTalkRenderer: WebhookRenderer {
    package let configuration: WebhookConfiguration
    package let context: WebhookContext
    /// DingTalk rejects bodies over 20000 bytes with errcode 460101.
    package static let maxBodyBytes = 20_000
    /// DingTalk's rate-limit penalty: 10 minutes.
    package static let rateLimitPenalty: Duration = .seconds(600)

    package init(configuration: WebhookConfiguration, context: WebhookContext) {
        self.configuration = configuration
        self.context = context
    }

    /// The body, cutting user-derived values shorter until it fits in `maxBodyBytes`.
    package func body(for alert: Alert) -> [UInt8] {
        context.fitting(alert, maxBytes: Self.maxBodyBytes, render: render)
    }

    private func render(_ facts: WebhookFacts) -> [UInt8] {
        let inert = WebhookText.inertMarkdown
        var lines = ["### \(facts.emoji) \(facts.title(escape: inert))", "", inert(facts.summary), ""]
        lines += facts.facts.map { "- **\($0.label):** \(inert($0.value))" }
        lines += ["", "**What to do**", ""]
        lines += facts.advice.enumerated().map { "\($0.offset + 1). \(inert($0.element))" }
        lines += ["", "> \(inert(facts.footer))"]
        let document: WebhookJSON = .object([
            ("msgtype", "markdown"),
            (
                "markdown",
                .object([
                    ("title", .string(facts.title(escape: inert))), ("text", .string(lines.joined(separator: "\n"))),
                ])
            ),
            ("msgUuid", .string(facts.alertID)),
        ])
        return document.serialized()
    }

    package func request(for alert: Alert, attemptTime: Date) throws(WebhookRenderError) -> HTTPRequest {
        var url = configuration.url
        if let secret = configuration.secret {
            let query = WebhookSigning.dingTalkQuery(
                secret: secret.revealed, timestampMilliseconds: WebhookSigning.milliseconds(attemptTime))
            url += (url.contains("?") ? "&" : "?") + query
        }
        return context.post(
            url, body: body(for: alert), caFile: configuration.caFile, contentType: "application/json;charset=utf-8")
    }

    /// HTTP 200 with errcode 0 delivers. Rate limits (410100, legacy 130101) retry after at least ten
    /// minutes; -1 ("system busy"), 5xx and an unreadable answer retry; 310000 (signature, keyword,
    /// IP allow-list, timestamp) and every other errcode are permanent, named in the reason with
    /// DingTalk's errmsg (webhooks.md §2.4).
    package func verdict(for response: HTTPResponse, receivedAt: Date?) -> DeliveryVerdict {
        let url = configuration.url
        let secret = configuration.secret
        if let verdict = WebhookVerdicts.forStatus(
            response, receivedAt: receivedAt, platform: "DingTalk",
            detail: WebhookVerdicts.excerpt(response, url: url, secret: secret))
        {
            return verdict
        }
        guard let code = WebhookVerdicts.code(in: response, keys: ["errcode"]) else {
            return .retry(
                reason:
                    "DingTalk answered without an errcode: \(WebhookVerdicts.excerpt(response, url: url, secret: secret))",
                after: nil)
        }
        let message = WebhookVerdicts.message(in: response, keys: ["errmsg"], url: url, secret: secret)
        let said = "errcode \(code)" + (message.isEmpty ? "" : " (\(message))")
        switch code {
        case 0:
            return .delivered
        case 410_100, 130_101:
            let wait = WebhookRetryAfter.wait(in: response, receivedAt: receivedAt)
            return .retry(
                reason: "DingTalk rate limited the robot, \(said)",
                after: WebhookVerdicts.atLeast(wait, Self.rateLimitPenalty))
        case -1:
            return .retry(reason: "DingTalk is busy, \(said)", after: nil)
        case 310_000:
            return .permanent(reason: "DingTalk refused the message, \(said): \(Self.hint310000(message))")
        case 300_005, 400_101, 400_102, 400_106, 400_013:
            return .permanent(
                reason: "DingTalk refused the robot, \(said): check the webhook url (robot gone or disabled)")
        case 460_101:
            return .permanent(reason: "DingTalk refused the message as too large, \(said)")
        default:
            return .permanent(reason: "DingTalk refused the message, \(said)")
        }
    }

    /// What to fix for 310000, refined by the errmsg (webhooks.md §2.4).
    private static func hint310000(_ message: String) -> String {
        let lower = message.lowercased()
        if lower.contains("timestamp") { return "check this host's clock (NTP)" }
        if lower.contains("keyword") { return "add the keyword rootwatchd to the robot's security settings" }
        if lower.contains("whitelist") || lower.contains("ip") {
            return "allow this host's address in the robot's settings"
        }
        return "check the signing secret (the SEC… value of the robot's 加签 setting)"
    }
}
