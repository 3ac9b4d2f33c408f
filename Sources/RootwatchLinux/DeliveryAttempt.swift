import AlibabaCloud
import FoundationEssentials
import RootwatchCore

/// One delivery attempt: render the alert for the attempt's time, send it, read the verdict.
///
/// Shared by the daemon's workers and `test-alert`, so both judge answers the same way. Transport
/// failures become verdicts here: network errors, timeouts and TLS failures are worth retrying (a
/// receiver restarts, a certificate is renewed; `max_age` bounds the wait), a URL libcurl cannot use
/// is not. Cancellation is no verdict at all: the attempt did not count and the file stays.
package enum DeliveryAttempt {
    /// The verdict, or nil when the task was cancelled during the attempt. `retryTLS` false makes a
    /// failed TLS handshake or certificate check final (for a person waiting on `test-alert`).
    package static func perform(
        _ alert: Alert, webhook: WebhookConfiguration, renderer: any WebhookRenderer, transport: any HTTPTransport,
        attemptTime: Date, timeout: Duration? = nil, retryTLS: Bool = true
    ) async -> DeliveryVerdict? {
        var request: HTTPRequest
        do {
            request = try renderer.request(for: alert, attemptTime: attemptTime)
        } catch {
            // A configuration problem (e.g. a secret that does not decode): a reload can fix it, so keep
            // the delivery and retry rather than dead-letter it.
            return .retry(reason: "cannot build the request: \(error.reason)", after: nil)
        }
        if request.caFile == nil { request.caFile = webhook.caFile }
        if let timeout { request.timeout = min(request.timeout, timeout) }
        do {
            let response = try await transport.send(request)
            // A `Retry-After` HTTP-date is measured from the answer's arrival.
            return renderer.verdict(for: response, receivedAt: Date())
        } catch let error as TransportError {
            switch error {
            case .cancelled: return Task.isCancelled ? nil : .retry(reason: "request cancelled", after: nil)
            case .invalidRequest: return .permanent(reason: error.description)
            case .tls where !retryTLS: return .permanent(reason: error.description)
            case .connect, .timeout, .tls, .other: return .retry(reason: error.description, after: nil)
            }
        } catch {
            return Task.isCancelled ? nil : .retry(reason: "\(error)", after: nil)
        }
    }

    /// Journal fields naming a delivery: alert, account, webhook and its URL with tokens masked.
    package static func fields(_ alert: Alert, webhook: String, url: String?) -> [String: String] {
        var fields = ["ROOTWATCH_ALERT_ID": alert.id, "ROOTWATCH_ACCOUNT": alert.account, "ROOTWATCH_WEBHOOK": webhook]
        if let url { fields["ROOTWATCH_WEBHOOK_URL"] = maskURL(url) }
        return fields
    }
}
