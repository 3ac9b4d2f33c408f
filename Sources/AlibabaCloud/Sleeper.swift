/// Waits between retries. Production sleeps on the continuous clock; tests record the requested
/// delays and return at once, so retry schedules are asserted without waiting.
package protocol Sleeper: Sendable {
    func sleep(for duration: Duration) async throws
}

/// Sleeps for real on `ContinuousClock`; throws `CancellationError` when the task is cancelled.
package struct ClockSleeper: Sleeper {
    package init() {}
    package func sleep(for duration: Duration) async throws {
        try await ContinuousClock().sleep(for: duration)
    }
}
