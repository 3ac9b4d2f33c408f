import FoundationEssentials

/// When each account is scanned next: the pure half of the scheduler.
///
/// Every account keeps its own `interval`. The first scans after start are spread over a short
/// stagger so the first alerts come quickly without a burst; later scans are spread by `jitter`
/// (a fraction of the interval, both ways) so many accounts drift apart instead of firing together.
package struct SchedulePlan: Sendable, Equatable {
    /// One account's cadence.
    package struct Entry: Sendable, Equatable {
        package var name: String
        package var interval: Duration
        package init(name: String, interval: Duration) {
            self.name = name
            self.interval = interval
        }
    }

    package private(set) var entries: [Entry]
    package private(set) var nextDue: [String: Date]
    package var jitter: Double
    /// How long the first round is spread over (capped by each account's interval).
    package var initialStagger: Duration

    package init(entries: [Entry], jitter: Double, initialStagger: Duration = .seconds(30)) {
        self.entries = entries
        self.jitter = jitter
        self.initialStagger = initialStagger
        self.nextDue = [:]
    }

    /// Fills in the due time of every account that has none: a remembered `next_due` from the state
    /// file when it lies within one interval from now, else a staggered slot after `now`.
    package mutating func start(now: Date, remembered: [String: Date] = [:]) {
        for (index, entry) in entries.enumerated() where nextDue[entry.name] == nil {
            let interval = entry.interval.seconds
            if let due = remembered[entry.name], due.timeIntervalSince(now) <= interval {
                nextDue[entry.name] = max(due, now)
            } else {
                // Half a second per account, at most `initialStagger`: a few accounts start at once,
                // a thousand spread over the stagger.
                let spread = min(initialStagger.seconds, interval, 0.5 * Double(entries.count))
                let offset = entries.count > 1 ? spread * Double(index) / Double(entries.count) : 0
                nextDue[entry.name] = now.addingTimeInterval(offset)
            }
        }
    }

    /// Replaces the account set (configuration reload): accounts that stay keep their due time, new
    /// ones are staggered from `now`, removed ones are dropped.
    package mutating func replace(entries newEntries: [Entry], now: Date) {
        let kept = Set(newEntries.map(\.name))
        nextDue = nextDue.filter { kept.contains($0.key) }
        for entry in newEntries {
            if let due = nextDue[entry.name], due.timeIntervalSince(now) > entry.interval.seconds {
                nextDue[entry.name] = now  // the interval shrank: scan now rather than wait out the old one
            }
        }
        entries = newEntries
        start(now: now)
    }

    /// The accounts due at `now`, earliest first, excluding those in `running`.
    package func due(at now: Date, excluding running: Set<String>) -> [String] {
        nextDue.filter { $0.value <= now && !running.contains($0.key) }
            .sorted { ($0.value, $0.key) < ($1.value, $1.key) }
            .map(\.key)
    }

    /// The earliest due time among accounts not running, if any.
    package func earliestDue(excluding running: Set<String>) -> Date? {
        nextDue.filter { !running.contains($0.key) }.values.min()
    }

    /// Records that a scan of `name` started at `startedAt`; the next one is one interval later,
    /// moved by up to `jitter` of the interval either way. `random` is uniform in 0..<1.
    package mutating func scanStarted(_ name: String, at startedAt: Date, random: Double) {
        guard let entry = entries.first(where: { $0.name == name }) else { return }
        let interval = entry.interval.seconds
        let offset = interval * jitter * (2 * random - 1)
        nextDue[name] = startedAt.addingTimeInterval(max(interval + offset, 1))
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number for date arithmetic.
    package var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
