import AlibabaCloud
import FoundationEssentials
import RootwatchCore

/// A delivery with a short deadline and no outbox, for `rootwatchd test-alert`: the same attempt and
/// verdicts as the daemon, retried quickly (1 s, 2 s, 4 s … or what the receiver asks, if it fits)
/// until delivered, refused for good, or out of time. A certificate that does not verify is final
/// here (it will not change within seconds); the daemon keeps retrying it until `max_age`.
package struct DeliveryTrial: Sendable {
    /// How one webhook's trial ended.
    package enum Outcome: Sendable, Equatable {
        case delivered(attempts: Int)
        case failed(reason: String)
    }

    package var transport: any HTTPTransport
    package var sleeper: any Sleeper
    package var now: @Sendable () -> Date
    /// The whole trial's bound, attempts and waits included.
    package var budget: Duration

    package init(
        transport: any HTTPTransport, sleeper: any Sleeper = ClockSleeper(),
        now: @escaping @Sendable () -> Date = { Date() }, budget: Duration = .seconds(30)
    ) {
        self.transport = transport
        self.sleeper = sleeper
        self.now = now
        self.budget = budget
    }

    package func deliver(_ alert: Alert, to webhook: WebhookConfiguration, renderer: any WebhookRenderer) async
        -> Outcome
    {
        let start = now()
        let budgetSeconds = Double(budget.components.seconds)
        var attempts = 0
        while true {
            let remaining = budgetSeconds - now().timeIntervalSince(start)
            guard remaining > 0 else { return .failed(reason: "no answer within \(Int(budgetSeconds)) s") }
            attempts += 1
            guard
                let verdict = await DeliveryAttempt.perform(
                    alert, webhook: webhook, renderer: renderer, transport: transport, attemptTime: now(),
                    timeout: .milliseconds(Int64(remaining * 1000)), retryTLS: false)
            else { return .failed(reason: "cancelled") }
            switch verdict {
            case .delivered:
                return .delivered(attempts: attempts)
            case .permanent(let reason):
                return .failed(reason: reason)
            case .retry(let reason, let after):
                let wait = after.map { Double($0.components.seconds) } ?? Double(1 << min(attempts - 1, 4))
                if now().timeIntervalSince(start) + wait >= budgetSeconds {
                    return .failed(reason: "\(reason) (after \(attempts) attempt\(attempts == 1 ? "" : "s"))")
                }
                do {
                    try await sleeper.sleep(for: .milliseconds(Int64(wait * 1000)))
                } catch {
                    return .failed(reason: "cancelled")
                }
            }
        }
    }
}
