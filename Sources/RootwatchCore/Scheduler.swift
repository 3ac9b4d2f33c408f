import FoundationEssentials
import Synchronization

/// Runs scans of many accounts, each on its own cadence, at most `concurrency` at once.
///
/// Each scan is a child task of one task group, so a slow or failing account never delays another
/// and cancelling `run` (shutdown) cancels every scan in flight. The loop itself calls `heartbeat`
/// every time it wakes — at least every `maxTick` — which is where the daemon sends `WATCHDOG=1`: a
/// wedged loop stops the heartbeats and systemd restarts the service.
package final class Scheduler: Sendable {
    private struct Shared {
        var plan: SchedulePlan
        var concurrency: Int
    }

    private let shared: Mutex<Shared>
    private let clock: any WallClock
    private let random: @Sendable () -> Double
    private let heartbeat: @Sendable () -> Void
    private let maxTick: Duration

    /// - Parameters:
    ///   - plan: the accounts and their cadence; `run` starts it at the clock's now.
    ///   - remembered: due times saved by a previous run (state file `next_due`).
    ///   - random: uniform in 0..<1, for jitter.
    ///   - heartbeat: called on every wake of the loop.
    ///   - maxTick: the longest the loop sleeps without waking.
    package init(
        plan: SchedulePlan,
        concurrency: Int,
        clock: any WallClock,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        heartbeat: @escaping @Sendable () -> Void = {},
        maxTick: Duration = .seconds(1)
    ) {
        self.shared = Mutex(Shared(plan: plan, concurrency: max(1, concurrency)))
        self.clock = clock
        self.random = random
        self.heartbeat = heartbeat
        self.maxTick = maxTick
    }

    /// Replaces the account set and the concurrency limit (configuration reload). Scans in flight
    /// finish; removed accounts are not scanned again.
    package func update(entries: [SchedulePlan.Entry], jitter: Double, concurrency: Int) {
        let now = clock.now()
        shared.withLock {
            $0.plan.jitter = jitter
            $0.plan.replace(entries: entries, now: now)
            $0.concurrency = max(1, concurrency)
        }
    }

    /// When each account is due next (for the state file and `status`).
    package var nextDue: [String: Date] { shared.withLock { $0.plan.nextDue } }

    private enum Event: Sendable {
        case tick
        case finished(String)
    }

    /// Scans accounts as they fall due until the task is cancelled. `scan` gets the account name and the
    /// instant its slot began.
    package func run(
        remembered: [String: Date] = [:],
        scan: @escaping @Sendable (_ account: String, _ startedAt: Date) async -> Void
    ) async {
        let start = clock.now()
        shared.withLock { $0.plan.start(now: start, remembered: remembered) }
        await withTaskGroup(of: Event.self) { group in
            var running = Set<String>()
            var tickDeadline = Date.distantPast

            while !Task.isCancelled {
                let now = clock.now()
                // Launch what is due, up to the limit, recording each start so the next slot follows it.
                let launched: [String] = shared.withLock { shared in
                    let room = shared.concurrency - running.count
                    guard room > 0 else { return [] }
                    let names = Array(shared.plan.due(at: now, excluding: running).prefix(room))
                    for name in names { shared.plan.scanStarted(name, at: now, random: random()) }
                    return names
                }
                for name in launched {
                    running.insert(name)
                    group.addTask {
                        await scan(name, now)
                        return .finished(name)
                    }
                }
                // Wake at the next due time, or after maxTick at the latest.
                let ceiling = now.addingTimeInterval(maxTick.seconds)
                let earliest = shared.withLock { $0.plan.earliestDue(excluding: running) } ?? ceiling
                let wake = min(earliest, ceiling)
                if wake < tickDeadline || tickDeadline <= now {
                    tickDeadline = wake
                    group.addTask { [clock] in
                        try? await clock.sleep(until: wake)
                        return .tick
                    }
                }
                guard let event = await group.next() else { break }
                switch event {
                case .tick: heartbeat()
                case .finished(let name): running.remove(name)
                }
            }
            group.cancelAll()
        }
    }
}
