import FoundationEssentials

/// How long a webhook waits after a failed delivery: exponential with jitter, first about 5 s,
/// doubling, capped at 2 minutes (product.md §4), so a receiver that comes back is caught up within
/// two minutes while one that stays down is asked only every two minutes.
///
/// A wait the receiver asked for (`Retry-After`, DingTalk's ten-minute rate-limit penalty) wins when
/// it is longer, up to `maxRequested`, so a broken header cannot park a webhook for days.
package struct DeliveryBackoff: Sendable, Equatable {
    package var first: Duration = .seconds(5)
    package var cap: Duration = .seconds(120)
    /// Spread as a fraction of the delay: 0.2 means ±20 %, so retries of many deliveries do not align.
    package var jitter: Double = 0.2
    /// The longest receiver-requested wait honoured.
    package var maxRequested: Duration = .seconds(3_600)

    package init() {}

    /// The wait after the `failures`-th consecutive failure (1 for the first). `random` is uniform in
    /// 0..<1; `requested` is the verdict's `after`.
    package func delay(failures: Int, random: Double, requested: Duration? = nil) -> Duration {
        let exponent = min(max(failures, 1) - 1, 30)
        let base = min(seconds(first) * Double(1 << exponent), seconds(cap))
        let spread = 1 - jitter + 2 * jitter * min(max(random, 0), 1)
        var wait = min(base * spread, seconds(cap))
        if let requested { wait = max(wait, min(seconds(requested), seconds(maxRequested))) }
        return .milliseconds(Int64((wait * 1000).rounded()))
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
