import AlibabaCloud
import FoundationEssentials

/// `format = teams`: an Adaptive Card 1.4 in the envelope the Teams Workflows ("Post to a channel when
/// a webhook request is received") template loops over (webhooks.md §5). Unsigned: the URL's `sig=`
/// is the credential.
///
/// A Workflows URL answers 202 as soon as the flow run is queued; a card the flow cannot post fails
/// later in the flow's run history, never here, so the card sticks to elements 1.4 renders everywhere.
package struct WebhookTeamsRenderer: WebhookRenderer {
    package let configuration: WebhookConfiguration
    package let context: WebhookContext
    /// Teams fails messages over about 28 KB with "Request Entity too large".
    package static let maxBodyBytes = 27_000

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
        let text = { (text: String, extra: [(String, WebhookJSON)]) -> WebhookJSON in
            .object([("type", "TextBlock"), ("text", .string(text))] + extra + [("wrap", true)])
        }
        let factSet: WebhookJSON = .object([
            ("type", "FactSet"),
            (
                "facts",
                .array(
                    facts.facts.map { .object([("title", .string($0.label)), ("value", .string(inert($0.value)))]) })
            ),
        ])
        let advice = facts.advice.enumerated().map { "\($0.offset + 1). \(inert($0.element))" }
        // One TextBlock per step: list markdown and line breaks inside a TextBlock differ between
        // Teams clients.
        let steps = advice.map { text($0, [("spacing", "None")]) }
        let card: WebhookJSON = .object([
            ("$schema", "http://adaptivecards.io/schemas/adaptive-card.json"),
            ("type", "AdaptiveCard"),
            ("version", "1.4"),
            ("msteams", .object([("width", "Full")])),
            (
                "body",
                .array(
                    [
                        text(
                            "\(facts.emoji) \(facts.title(escape: inert))",
                            [("weight", "Bolder"), ("size", "Medium"), ("color", .string(Self.color(facts.severity)))]),
                        text(inert(facts.summary), []),
                        factSet,
                        text("**What to do**", [("spacing", "Medium")]),
                    ] + steps + [text(inert(facts.footer), [("isSubtle", true), ("size", "Small")])]
                )
            ),
        ])
        let envelope: WebhookJSON = .object([
            ("type", "message"),
            (
                "attachments",
                .array([
                    .object([
                        ("contentType", "application/vnd.microsoft.card.adaptive"),
                        ("contentUrl", .null),
                        ("content", card),
                    ])
                ])
            ),
        ])
        return envelope.serialized()
    }

    /// TextBlock colour by severity.
    private static func color(_ severity: Severity) -> String {
        switch severity {
        case .critical: "Attention"
        case .warning: "Warning"
        case .notice: "Good"
        case .info: "Default"
        }
    }

    package func request(for alert: Alert, attemptTime: Date) throws(WebhookRenderError) -> HTTPRequest {
        context.post(configuration.url, body: body(for: alert), caFile: configuration.caFile)
    }

    /// Any 2xx (Workflows answer 202) delivers; 429 (honouring `Retry-After`), 408 and 5xx retry; 413
    /// and other 4xx are permanent (bad or expired `sig`, deleted flow), 3xx too (webhooks.md §5.3).
    package func verdict(for response: HTTPResponse, receivedAt: Date?) -> DeliveryVerdict {
        let excerpt = WebhookVerdicts.excerpt(response, url: configuration.url, secret: nil)
        return WebhookVerdicts.forStatus(response, receivedAt: receivedAt, platform: "Teams", detail: excerpt)
            ?? .delivered
    }
}
