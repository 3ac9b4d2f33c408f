import AlibabaCloud
import FoundationEssentials

/// `format = standard`: the product.md §4 JSON in the Standard Webhooks envelope, signed per that
/// specification (webhooks.md §1).
///
/// `webhook-id` is the alert id, so receivers dedupe retries and repeats on it; `webhook-timestamp`
/// and `webhook-signature` are computed for each attempt over the exact body bytes sent.
package struct WebhookStandardRenderer: WebhookRenderer {
    package let configuration: WebhookConfiguration
    package let context: WebhookContext
    /// The longest user-derived string value in the body (a user agent, a message), in UTF-8 bytes;
    /// keeps the body under the 20 KB the specification recommends.
    package static let maxValueBytes = 4_096

    package init(configuration: WebhookConfiguration, context: WebhookContext) {
        self.configuration = configuration
        self.context = context
    }

    /// The body: the same bytes on every attempt of one alert.
    package func body(for alert: Alert) -> [UInt8] {
        let cut = { (text: String?) in WebhookJSON.optional(text.map(Self.cut)) }
        let data: WebhookJSON = .object([
            ("id", .string(alert.id)),
            ("severity", .string(alert.severity.rawValue)),
            ("account", .string(Self.cut(alert.account))),
            ("account_id", cut(alert.accountID)),
            ("activity_time", .string(Timestamp.format(alert.activityTime))),
            ("window", .string(Self.cut(alert.window))),
            ("source", .string(alert.source.rawValue)),
            ("source_ip", cut(alert.sourceIP)),
            ("user_agent", cut(alert.userAgent)),
            ("mfa_checked", .optional(alert.mfaChecked)),
            ("event_id", cut(alert.eventID)),
            ("key_slot", cut(alert.keySlot)),
            ("report_time", .optional(alert.reportTime.map(Timestamp.format))),
            ("message", .string(Self.cut(alert.message))),
            ("host", .string(Self.cut(context.host))),
            ("rootwatchd_version", .string(context.version)),
        ])
        let document: WebhookJSON = .object([
            ("type", .string(alert.kind.rawValue)),
            ("timestamp", .string(Timestamp.format(alert.detectedAt))),
            ("data", data),
        ])
        return document.serialized()
    }

    package func request(for alert: Alert, attemptTime: Date) throws(WebhookRenderError) -> HTTPRequest {
        guard let secret = configuration.secret else {
            throw WebhookRenderError("a standard webhook needs a signing secret (whsec_…)")
        }
        guard !alert.id.isEmpty, !alert.id.contains(".") else {
            throw WebhookRenderError("alert id \(alert.id) cannot be a webhook-id (empty or contains '.')")
        }
        let key = try WebhookSigning.standardKey(secret: secret.revealed)
        let body = body(for: alert)
        let timestamp = WebhookSigning.seconds(attemptTime)
        let signature = WebhookSigning.standardSignature(id: alert.id, timestamp: timestamp, body: body, keys: [key])
        return context.post(
            configuration.url, body: body, caFile: configuration.caFile,
            headers: [
                ("webhook-id", alert.id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature),
            ])
    }

    /// Any 2xx delivers; 408, 429 and 5xx retry (honouring `Retry-After`); 410 and other 4xx are
    /// permanent; 3xx is permanent because redirects are not followed (webhooks.md §1.4).
    package func verdict(for response: HTTPResponse, receivedAt: Date?) -> DeliveryVerdict {
        let detail = WebhookVerdicts.excerpt(response, url: configuration.url, secret: configuration.secret)
        return WebhookVerdicts.forStatus(response, receivedAt: receivedAt, platform: "webhook", detail: detail)
            ?? .delivered
    }

    private static func cut(_ text: String) -> String { WebhookText.truncated(text, maxBytes: maxValueBytes) }
}
