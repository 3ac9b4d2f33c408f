import AlibabaCloud
import FoundationEssentials

/// The pieces of delivery classification the formats share: HTTP status classes, `Retry-After`,
/// and reading an error code out of a JSON answer (webhooks.md §8).
package enum WebhookVerdicts {
    /// The verdict for a status that is not a success, whatever the platform: 408, 429 and 5xx retry
    /// (honouring `Retry-After`, never less than `floor`); 3xx is permanent (redirects are not
    /// followed: a signed request must reach the address it was signed for, and following would
    /// send the payload somewhere the operator did not configure); other 4xx are permanent.
    /// Nil for 2xx, which each platform judges by its body.
    package static func forStatus(
        _ response: HTTPResponse, receivedAt: Date?, platform: String, detail: String, floor: Duration? = nil
    ) -> DeliveryVerdict? {
        let status = response.status
        let suffix = detail.isEmpty ? "" : ": \(detail)"
        switch status {
        case 200...299:
            return nil
        case 408, 429, 500...599:
            let what = status == 429 ? "rate limited" : status == 408 ? "timed out" : "failed"
            return .retry(
                reason: "\(platform) \(what) (HTTP \(status))\(suffix)",
                after: atLeast(WebhookRetryAfter.wait(in: response, receivedAt: receivedAt), floor))
        case 300...399:
            let location = response.header("location").map { " to \(maskURL($0))" } ?? ""
            return .permanent(
                reason: "\(platform) redirected (HTTP \(status))\(location); redirects are not followed: "
                    + "set the webhook url to the final address")
        case 410:
            return .permanent(reason: "\(platform) endpoint is gone (HTTP 410)\(suffix): remove or replace the webhook")
        case 413:
            return .permanent(reason: "\(platform) rejected the payload as too large (HTTP 413)\(suffix)")
        case 400...499:
            return .permanent(reason: "\(platform) refused the request (HTTP \(status))\(suffix)")
        default:
            return .retry(reason: "\(platform) answered an unexpected HTTP \(status)\(suffix)", after: floor)
        }
    }

    /// The larger of two optional waits.
    package static func atLeast(_ wait: Duration?, _ floor: Duration?) -> Duration? {
        switch (wait, floor) {
        case (let wait?, let floor?): max(wait, floor)
        case (let wait?, nil): wait
        case (nil, let floor): floor
        }
    }

    /// The answer body as a short, scrubbed, one-line excerpt for a reason ("" when empty).
    package static func excerpt(_ response: HTTPResponse, url: String, secret: Secret?) -> String {
        WebhookText.scrubbed(response.bodyText, url: url, secret: secret)
    }

    /// An integer member of a JSON object answer, trying `keys` in order; nil when the body is not a
    /// JSON object or has none of them.
    package static func code(in response: HTTPResponse, keys: [String]) -> Int? {
        guard let json = try? JSONValue.parse(response.body) else { return nil }
        for key in keys {
            if let value = json[key]?.intValue { return value }
        }
        return nil
    }

    /// A string member of a JSON object answer (`errmsg`, `msg`), scrubbed for a reason.
    package static func message(in response: HTTPResponse, keys: [String], url: String, secret: Secret?) -> String {
        guard let json = try? JSONValue.parse(response.body) else { return "" }
        for key in keys {
            if let value = json[key]?.stringValue, !value.isEmpty {
                return WebhookText.scrubbed(value, url: url, secret: secret)
            }
        }
        return ""
    }
}
