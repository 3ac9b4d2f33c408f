import AlibabaCloud
import FoundationEssentials

/// `format = lark`: a Lark/Feishu custom bot interactive card (card JSON 1.0, which every client
/// renders), signed with 签名校验 when a secret is set (webhooks.md §3).
///
/// The signature travels in the body (`timestamp` in seconds as a string, `sign`), so those two
/// members change per attempt while the card stays the same bytes.
package struct WebhookLarkRenderer: WebhookRenderer {
    package let configuration: WebhookConfiguration
    package let context: WebhookContext
    /// Lark rejects bodies over 20 KB with code 9499.
    package static let maxBodyBytes = 20_000

    package init(configuration: WebhookConfiguration, context: WebhookContext) {
        self.configuration = configuration
        self.context = context
    }

    /// The card object, cutting user-derived values shorter until the body fits in `maxBodyBytes`.
    package func card(for alert: Alert) -> WebhookJSON {
        var card: WebhookJSON = .null
        for budget in [512, 160, 48] {
            card = render(WebhookFacts(alert: alert, context: context, maxValueBytes: budget))
            // 200 bytes cover the signature members and the envelope.
            if card.serialized().count + 200 <= Self.maxBodyBytes { break }
        }
        return card
    }

    private func render(_ facts: WebhookFacts) -> WebhookJSON {
        let inert = WebhookText.inertMarkdown
        let factLines = facts.facts.map { "**\($0.label):** \(inert($0.value))" }.joined(separator: "\n")
        let adviceLines = facts.advice.enumerated().map { "\($0.offset + 1). \(inert($0.element))" }
        let markdown = { (text: String) -> WebhookJSON in
            .object([("tag", "div"), ("text", .object([("tag", "lark_md"), ("content", .string(text))]))])
        }
        return .object([
            ("config", .object([("wide_screen_mode", true)])),
            (
                "header",
                .object([
                    (
                        "title",
                        .object([
                            ("tag", "plain_text"),
                            ("content", .string("\(facts.emoji) \(facts.title(escape: WebhookText.oneLine))")),
                        ])
                    ),
                    ("template", .string(Self.template(facts.severity))),
                ])
            ),
            (
                "elements",
                .array([
                    markdown(inert(facts.summary)),
                    markdown(factLines),
                    .object([("tag", "hr")]),
                    markdown((["**What to do**"] + adviceLines).joined(separator: "\n")),
                    .object([
                        ("tag", "note"),
                        (
                            "elements",
                            .array([
                                .object([
                                    ("tag", "plain_text"), ("content", .string(WebhookText.oneLine(facts.footer))),
                                ])
                            ])
                        ),
                    ]),
                ])
            ),
        ])
    }

    /// Header colour by severity: red for root use, orange for posture and health, green when
    /// recovered, blue for a test.
    private static func template(_ severity: Severity) -> String {
        switch severity {
        case .critical: "red"
        case .warning: "orange"
        case .notice: "green"
        case .info: "blue"
        }
    }

    /// The body for one attempt: signature members first (when signed), then the card.
    package func body(for alert: Alert, attemptTime: Date) -> [UInt8] {
        var members: [(String, WebhookJSON)] = []
        if let secret = configuration.secret {
            let timestamp = WebhookSigning.seconds(attemptTime)
            members.append(("timestamp", .string(String(timestamp))))
            members.append(
                ("sign", .string(WebhookSigning.larkSignature(secret: secret.revealed, timestampSeconds: timestamp))))
        }
        members.append(("msg_type", "interactive"))
        members.append(("card", card(for: alert)))
        return WebhookJSON.object(members).serialized()
    }

    package func request(for alert: Alert, attemptTime: Date) throws(WebhookRenderError) -> HTTPRequest {
        context.post(configuration.url, body: body(for: alert, attemptTime: attemptTime), caFile: configuration.caFile)
    }

    /// `code` 0 (or the legacy `StatusCode` 0) delivers; 11232 (rate limit), HTTP 429, 408 and 5xx
    /// retry; 19021 (signature or clock), 19001, 19002, 19022, 19024, 9499 and other codes are
    /// permanent with Lark's msg in the reason (webhooks.md §3.4). Lark answers errors with HTTP 200,
    /// so the body decides.
    package func verdict(for response: HTTPResponse, receivedAt: Date?) -> DeliveryVerdict {
        let url = configuration.url
        let secret = configuration.secret
        let excerpt = WebhookVerdicts.excerpt(response, url: url, secret: secret)
        let status = response.status
        if status == 408 || status == 429 || status >= 500 || (300...399).contains(status) {
            return WebhookVerdicts.forStatus(response, receivedAt: receivedAt, platform: "Lark", detail: excerpt)
                ?? .retry(reason: "Lark answered HTTP \(status)", after: nil)
        }
        guard let code = WebhookVerdicts.code(in: response, keys: ["code", "StatusCode"]) else {
            return WebhookVerdicts.forStatus(response, receivedAt: receivedAt, platform: "Lark", detail: excerpt)
                ?? .retry(reason: "Lark answered without a code: \(excerpt)", after: nil)
        }
        let message = WebhookVerdicts.message(in: response, keys: ["msg", "StatusMessage"], url: url, secret: secret)
        let said = "code \(code)" + (message.isEmpty ? "" : " (\(message))")
        switch code {
        case 0 where (200...299).contains(status):
            return .delivered
        case 11_232:
            return .retry(
                reason: "Lark rate limited the bot, \(said)",
                after: WebhookRetryAfter.wait(in: response, receivedAt: receivedAt))
        case 19_021:
            return .permanent(
                reason: "Lark refused the signature, \(said): check the signing secret and this host's clock (NTP)")
        case 19_001:
            return .permanent(reason: "Lark refused the bot, \(said): check the webhook url")
        case 19_022:
            return .permanent(reason: "Lark refused this host's address, \(said): check the bot's IP allow-list")
        case 19_024:
            return .permanent(
                reason: "Lark refused the message, \(said): add the keyword rootwatchd to the bot's security settings")
        default:
            return .permanent(reason: "Lark refused the message (HTTP \(status)), \(said)")
        }
    }
}
