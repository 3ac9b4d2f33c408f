/// When and how long to wait before trying an Alibaba Cloud call again.
///
/// Jittered exponential back-off (about 1 s doubling to a 20 s cap), bounded both by a number of
/// attempts and by a total time budget (about two minutes per call), so a throttled account cannot
/// hold a scan cycle forever. Only throttling, 5xx and passing network failures are retried:
/// signature, credential and permission errors fail at once because repeating them cannot help and
/// may lock out a key.
package struct RetryPolicy: Sendable {
    /// Attempts in total, the first included.
    package var maxAttempts: Int
    /// Back-off before the first retry, doubled for each further retry.
    package var baseDelay: Duration
    /// Largest computed back-off (a server's `x-acs-retry-after` may ask for more).
    package var maxDelay: Duration
    /// Time from the first attempt after which no retry is started.
    package var budget: Duration
    /// A value in `0...1` per retry; the delay is `backoff * (0.5 + jitter / 2)`. Injected for tests.
    package var jitter: @Sendable () -> Double

    package init(
        maxAttempts: Int = 6,
        baseDelay: Duration = .seconds(1),
        maxDelay: Duration = .seconds(20),
        budget: Duration = .seconds(120),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.budget = budget
        self.jitter = jitter
    }

    /// A policy that never retries.
    package static var never: RetryPolicy { RetryPolicy(maxAttempts: 1) }

    /// The delay before the next attempt, or nil to give up.
    ///
    /// - Parameters:
    ///   - error: why attempt number `attempt` (1-based) failed.
    ///   - elapsed: time since the first attempt started.
    /// A server-supplied `retryAfter` is a floor on the delay; if waiting would exceed the budget the
    /// call gives up now instead of sleeping for nothing.
    package func delay(after error: AlibabaCloudError, attempt: Int, elapsed: Duration) -> Duration? {
        guard error.isRetryable, attempt < maxAttempts else { return nil }
        var delay = backoff(beforeRetry: attempt)
        if case .throttled(let retryAfter?) = error.kind, retryAfter > delay { delay = retryAfter }
        guard elapsed + delay <= budget else { return nil }
        return delay
    }

    /// The jittered back-off before retry number `retry` (1-based): `base * 2^(retry-1)`, capped at
    /// `maxDelay`, scaled into its upper half by the jitter so retries from many accounts spread out.
    package func backoff(beforeRetry retry: Int) -> Duration {
        var ceiling = baseDelay
        var step = 1
        while step < retry, ceiling < maxDelay {
            ceiling = ceiling * 2
            step += 1
        }
        if ceiling > maxDelay { ceiling = maxDelay }
        let fraction = min(1, max(0, jitter()))
        return ceiling * (0.5 + fraction / 2)
    }

    /// Reads `x-acs-retry-after`.
    ///
    /// The official SDK accepts only a positive integer (`Utils.get_throttling_time_left`) and hands it
    /// to its retry loop, which sleeps that many **milliseconds** (darabonba `get_backoff_time` →
    /// `sleep(millisecond)`, capped at 120 000). The vendor does not document the unit; this follows
    /// the SDK. Because the value is only a floor on our own back-off, reading seconds as milliseconds
    /// can shorten a wait but never lengthen it, and never by more than the back-off allows.
    package static func retryAfter(headerValue: String?) -> Duration? {
        guard let text = headerValue?.trimmingSpaces, let value = Int(text), value > 0 else { return nil }
        return .milliseconds(value)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
