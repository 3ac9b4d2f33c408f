import AlibabaCloud
import FoundationEssentials

/// Renders alerts for one webhook and reads its answers. Pure: the outbox owns files, timing and
/// the transport; a renderer only turns an alert into bytes and a response into a verdict.
package protocol WebhookRenderer: Sendable {
    /// The HTTP request for one delivery attempt of `alert`. Signatures and timestamps are computed
    /// for `attemptTime` on every attempt (receivers reject stale ones); the body is the same bytes
    /// every time.
    func request(for alert: Alert, attemptTime: Date) throws(WebhookRenderError) -> HTTPRequest

    /// What the receiver's answer means (DingTalk and Lark answer HTTP 200 on failure, so the body
    /// counts as much as the status). A `Retry-After` HTTP-date is measured from the response's `Date`
    /// header, else from `receivedAt`.
    func verdict(for response: HTTPResponse, receivedAt: Date?) -> DeliveryVerdict
}

extension WebhookRenderer {
    /// The verdict when the arrival time does not matter.
    package func verdict(for response: HTTPResponse) -> DeliveryVerdict {
        verdict(for: response, receivedAt: nil)
    }
}

/// The outcome of one delivery attempt.
package enum DeliveryVerdict: Sendable, Equatable {
    /// The platform confirmed it: remove from the outbox.
    case delivered
    /// Try again later; `after` is the least wait the receiver asked for (`Retry-After`, a rate-limit
    /// penalty), nil for the ordinary back-off.
    case retry(reason: String, after: Duration?)
    /// Retrying cannot help (bad signature, bad token, rejected payload): dead-letter at once.
    case permanent(reason: String)
}

/// Why an alert could not be rendered for a webhook (a configuration problem, e.g. a secret that is
/// not valid base64).
package struct WebhookRenderError: Error, Sendable, Equatable, CustomStringConvertible {
    package var reason: String
    package init(_ reason: String) { self.reason = reason }
    package var description: String { reason }
}

/// Facts about this installation that payloads carry.
package struct WebhookContext: Sendable, Equatable {
    /// The host rootwatchd runs on.
    package var host: String
    package var version: String

    package init(host: String, version: String = RootwatchVersion.current) {
        self.host = host
        self.version = version
    }

    /// A JSON POST to `url` as every format sends it; `headers` come after the common ones.
    package func post(
        _ url: String, body: [UInt8], caFile: String?, contentType: String = "application/json",
        headers: [(name: String, value: String)] = []
    ) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: url,
            headers: [("content-type", contentType), ("user-agent", "rootwatchd/\(version)")] + headers,
            body: body, caFile: caFile)
    }

    /// Renders `alert` with user-derived values cut ever shorter (512, 160, 48 … bytes) until the body
    /// fits `maxBytes`; the shortest rendering is used if none does.
    package func fitting(
        _ alert: Alert, maxBytes: Int, budgets: [Int] = [512, 160, 48], render: (WebhookFacts) -> [UInt8]
    ) -> [UInt8] {
        var body: [UInt8] = []
        for budget in budgets {
            body = render(WebhookFacts(alert: alert, context: self, maxValueBytes: budget))
            if body.count <= maxBytes { break }
        }
        return body
    }
}
