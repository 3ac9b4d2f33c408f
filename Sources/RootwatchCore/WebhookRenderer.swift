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
    /// counts as much as the status).
    func verdict(for response: HTTPResponse) -> DeliveryVerdict

    /// The same, with the time the response arrived: a `Retry-After` HTTP-date is measured from the
    /// response's `Date` header, else from `receivedAt`. The default ignores the time.
    func verdict(for response: HTTPResponse, receivedAt: Date?) -> DeliveryVerdict
}

extension WebhookRenderer {
    package func verdict(for response: HTTPResponse, receivedAt: Date?) -> DeliveryVerdict {
        verdict(for: response)
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
}
