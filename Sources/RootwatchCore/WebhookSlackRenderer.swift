import AlibabaCloud
import FoundationEssentials

/// `format = slack`: a Slack incoming-webhook message in Block Kit, with a plain `text` fallback for
/// notifications (webhooks.md §4). Unsigned: the URL is the credential.
///
/// Block Kit limits are hard errors (`invalid_blocks`), so each element is cut to its limit: header
/// 150 characters, section text 3000, fields at most 10 per section and 2000 each.
package struct WebhookSlackRenderer: WebhookRenderer {
    package let configuration: WebhookConfiguration
    package let context: WebhookContext
    package static let headerLimit = 150
    package static let sectionLimit = 3_000
    package static let fieldLimit = 2_000
    package static let fieldsPerSection = 10

    package init(configuration: WebhookConfiguration, context: WebhookContext) {
        self.configuration = configuration
        self.context = context
    }

    /// The body: the same bytes on every attempt.
    package func body(for alert: Alert) -> [UInt8] {
        let facts = WebhookFacts(alert: alert, context: context)
        let escape = WebhookText.slackEscaped
        let section = { (text: String) -> WebhookJSON in
            .object([
                ("type", "section"),
                (
                    "text",
                    .object([
                        ("type", "mrkdwn"), ("text", .string(WebhookText.truncated(text, maxUnits: Self.sectionLimit))),
                    ])
                ),
            ])
        }
        let fields = facts.facts.map { fact -> WebhookJSON in
            let text = "*\(fact.label)*\n\(escape(fact.value))"
            return .object([
                ("type", "mrkdwn"), ("text", .string(WebhookText.truncated(text, maxUnits: Self.fieldLimit))),
            ])
        }
        let header = WebhookText.truncated(
            "\(facts.emoji) \(facts.title(escape: WebhookText.oneLine))", maxUnits: Self.headerLimit)
        var blocks: [WebhookJSON] = [
            .object([
                ("type", "header"),
                ("text", .object([("type", "plain_text"), ("text", .string(header)), ("emoji", true)])),
            ]),
            section(escape(facts.summary)),
        ]
        for start in stride(from: 0, to: fields.count, by: Self.fieldsPerSection) {
            let chunk = Array(fields[start..<min(start + Self.fieldsPerSection, fields.count)])
            blocks.append(.object([("type", "section"), ("fields", .array(chunk))]))
        }
        let advice = facts.advice.enumerated().map { "\($0.offset + 1). \(escape($0.element))" }
        blocks.append(section((["*What to do*"] + advice).joined(separator: "\n")))
        blocks.append(
            .object([
                ("type", "context"),
                (
                    "elements",
                    .array([
                        .object([
                            ("type", "mrkdwn"),
                            ("text", .string(WebhookText.truncated(escape(facts.footer), maxUnits: Self.sectionLimit))),
                        ])
                    ])
                ),
            ]))
        let fallback = WebhookText.truncated(escape("[rootwatchd] \(facts.summary)"), maxUnits: Self.sectionLimit)
        return WebhookJSON.object([("text", .string(fallback)), ("blocks", .array(blocks))]).serialized()
    }

    package func request(for alert: Alert, attemptTime: Date) throws(WebhookRenderError) -> HTTPRequest {
        context.post(configuration.url, body: body(for: alert), caFile: configuration.caFile)
    }

    /// HTTP 200 with the body `ok` delivers; 429 (honouring `Retry-After`), 408 and 5xx retry;
    /// 400, 403, 404, 410 and other 4xx are permanent with Slack's error string (`invalid_payload`,
    /// `channel_not_found`, `channel_is_archived` …); a 2xx with another body retries, since Slack
    /// did not confirm (webhooks.md §4.2).
    package func verdict(for response: HTTPResponse, receivedAt: Date?) -> DeliveryVerdict {
        let excerpt = WebhookVerdicts.excerpt(response, url: configuration.url, secret: nil)
        if let verdict = WebhookVerdicts.forStatus(response, receivedAt: receivedAt, platform: "Slack", detail: excerpt)
        {
            return verdict
        }
        if response.status == 200 && response.bodyText.trimmingBlanks.trimmingNewlines == "ok" { return .delivered }
        return .retry(reason: "Slack answered HTTP \(response.status) without ok: \(excerpt)", after: nil)
    }
}

extension String {
    /// The string without leading and trailing line breaks.
    fileprivate var trimmingNewlines: String {
        var text = Substring(self)
        while text.first?.isNewline == true { text = text.dropFirst() }
        while text.last?.isNewline == true { text = text.dropLast() }
        return String(text)
    }
}
