import AlibabaCloud
import FoundationEssentials

/// `format = wecom`: a WeCom (企业微信) group robot markdown message (webhooks.md §6). Unsigned: the
/// URL's `key` is the credential.
///
/// WeCom refuses markdown content over 4096 bytes of UTF-8, which Chinese text reaches three times as
/// fast as ASCII, so the content is measured in bytes and user-derived values are cut until it fits.
package struct WebhookWeComRenderer: WebhookRenderer {
    package let configuration: WebhookConfiguration
    package let context: WebhookContext
    package static let maxContentBytes = 4_096
    /// WeCom's rate-limit code 45009 asks for at least a minute.
    package static let rateLimitWait: Duration = .seconds(60)

    package init(configuration: WebhookConfiguration, context: WebhookContext) {
        self.configuration = configuration
        self.context = context
    }

    /// The markdown content, cutting user-derived values shorter until it fits in `maxContentBytes`
    /// (as a last resort, the content itself is cut).
    package func content(for alert: Alert) -> String {
        var content = ""
        for budget in [512, 160, 48, 16] {
            content = render(WebhookFacts(alert: alert, context: context, maxValueBytes: budget))
            if content.utf8.count <= Self.maxContentBytes { return content }
        }
        return WebhookText.truncated(content, maxBytes: Self.maxContentBytes)
    }

    private func render(_ facts: WebhookFacts) -> String {
        let inert = WebhookText.inertMarkdown
        var lines = [
            "### <font color=\"\(Self.color(facts.severity))\">\(facts.emoji) \(facts.title(escape: inert))</font>",
            inert(facts.summary),
        ]
        lines += facts.facts.map { "> \($0.label): <font color=\"comment\">\(inert($0.value))</font>" }
        lines.append("**What to do**")
        lines += facts.advice.enumerated().map { "\($0.offset + 1). \(inert($0.element))" }
        lines.append("<font color=\"comment\">\(inert(facts.footer))</font>")
        return lines.joined(separator: "\n")
    }

    /// `warning` (orange) for root use, posture and health, `info` (green) when recovered, `comment`
    /// (grey) for a test.
    private static func color(_ severity: Severity) -> String {
        switch severity {
        case .critical, .warning: "warning"
        case .notice: "info"
        case .info: "comment"
        }
    }

    /// The body: the same bytes on every attempt.
    package func body(for alert: Alert) -> [UInt8] {
        WebhookJSON.object([
            ("msgtype", "markdown"),
            ("markdown", .object([("content", .string(content(for: alert)))])),
        ]).serialized()
    }

    package func request(for alert: Alert, attemptTime: Date) throws(WebhookRenderError) -> HTTPRequest {
        context.post(configuration.url, body: body(for: alert), caFile: configuration.caFile)
    }

    /// errcode 0 delivers; 45009 (frequency limit) retries after at least 60 s; -1 (busy), HTTP 429,
    /// 408, 5xx and an unreadable answer retry; 93000 (bad key) and every other errcode are
    /// permanent with WeCom's errmsg (webhooks.md §6.2).
    package func verdict(for response: HTTPResponse, receivedAt: Date?) -> DeliveryVerdict {
        let url = configuration.url
        let excerpt = WebhookVerdicts.excerpt(response, url: url, secret: nil)
        if let verdict = WebhookVerdicts.forStatus(response, receivedAt: receivedAt, platform: "WeCom", detail: excerpt)
        {
            return verdict
        }
        guard let code = WebhookVerdicts.code(in: response, keys: ["errcode"]) else {
            return .retry(reason: "WeCom answered without an errcode: \(excerpt)", after: nil)
        }
        let message = WebhookVerdicts.message(in: response, keys: ["errmsg"], url: url, secret: nil)
        let said = "errcode \(code)" + (message.isEmpty ? "" : " (\(message))")
        switch code {
        case 0:
            return .delivered
        case 45_009:
            let wait = WebhookRetryAfter.wait(in: response, receivedAt: receivedAt)
            return .retry(
                reason: "WeCom rate limited the robot, \(said)",
                after: WebhookVerdicts.atLeast(wait, Self.rateLimitWait))
        case -1:
            return .retry(reason: "WeCom is busy, \(said)", after: nil)
        case 93_000:
            return .permanent(reason: "WeCom refused the robot key, \(said): check the webhook url")
        default:
            return .permanent(reason: "WeCom refused the message, \(said)")
        }
    }
}
