import FoundationEssentials
import RootwatchCore
import RootwatchTestSupport
import Testing

@Suite struct SchedulerTests {
    private static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Runs the scheduler on a virtual clock until `until`, recording (account, virtual time) of every scan.
    private func simulate(
        entries: [SchedulePlan.Entry], jitter: Double = 0, concurrency: Int = 16, until end: Double,
        stagger: Duration = .seconds(30), random: @escaping @Sendable () -> Double = { 0.5 }
    ) async -> [(String, Double)] {
        let clock = VirtualClock(Self.start)
        let scans = Locked<[(String, Double)]>([])
        let scheduler = Scheduler(
            plan: SchedulePlan(entries: entries, jitter: jitter, initialStagger: stagger), concurrency: concurrency,
            clock: clock, random: random, maxTick: .seconds(5))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await scheduler.run { name, startedAt in
                    let at = startedAt.timeIntervalSince(Self.start)
                    scans.withLock { $0.append((name, at)) }
                }
            }
            // Stop once virtual time passes the end; the clock only moves when the loop sleeps.
            while clock.now().timeIntervalSince(Self.start) < end { await Task.yield() }
            group.cancelAll()
        }
        return scans.withLock { $0 }.filter { $0.1 < end }
    }

    @Test func eachAccountKeepsItsOwnInterval() async {
        // 15-minute and 1-hour accounts over 3 hours, no jitter: 12 and 3 scans, exactly on time.
        let scans = await simulate(
            entries: [.init(name: "fast", interval: .seconds(900)), .init(name: "slow", interval: .seconds(3600))],
            until: 3 * 3600, stagger: .zero)
        let fast = scans.filter { $0.0 == "fast" }.map(\.1)
        let slow = scans.filter { $0.0 == "slow" }.map(\.1)
        #expect(fast == (0..<12).map { Double($0) * 900 })
        #expect(slow == [0, 3600, 7200])
    }

    @Test func firstScansAreStaggeredThenSpreadByJitter() async {
        // Four accounts staggered half a second apart; with random fixed at 0.75 and 10% jitter, each next scan
        // comes 1.05 intervals after its first.
        let entries = (0..<4).map { SchedulePlan.Entry(name: "a\($0)", interval: .seconds(600)) }
        let scans = await simulate(entries: entries, jitter: 0.1, until: 700, random: { 0.75 })
        let first = scans.filter { $0.1 < 600 }.sorted { $0.1 < $1.1 }
        #expect(first.map(\.1) == [0, 0.5, 1, 1.5])
        #expect(scans.filter { $0.1 >= 600 }.map(\.1).sorted() == [630, 630.5, 631, 631.5])
    }

    @Test func concurrencyIsNeverExceededAndEveryAccountIsScanned() async {
        let inFlight = Locked((now: 0, peak: 0))
        let scanned = Locked(Set<String>())
        let names = (0..<20).map { "acct\($0)" }
        let scheduler = Scheduler(
            plan: SchedulePlan(
                entries: names.map { .init(name: $0, interval: .seconds(3600)) }, jitter: 0, initialStagger: .zero),
            concurrency: 3, clock: SystemWallClock(), maxTick: .milliseconds(50))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await scheduler.run { name, _ in
                    inFlight.withLock {
                        $0.now += 1
                        $0.peak = max($0.peak, $0.now)
                    }
                    try? await Task.sleep(for: .milliseconds(10))
                    inFlight.withLock { $0.now -= 1 }
                    scanned.withLock { _ = $0.insert(name) }
                }
            }
            for _ in 0..<2000 where scanned.withLock({ $0.count }) < names.count {
                try? await Task.sleep(for: .milliseconds(5))
            }
            group.cancelAll()
        }
        #expect(scanned.withLock { $0 } == Set(names))
        #expect(inFlight.withLock { $0.peak } == 3)
    }

    @Test func aSlowAccountDoesNotDelayTheOthers() async {
        // "stuck" never finishes; "ok" is still scanned every interval.
        let clock = VirtualClock(Self.start)
        let okScans = Locked(0)
        let scheduler = Scheduler(
            plan: SchedulePlan(
                entries: [.init(name: "stuck", interval: .seconds(60)), .init(name: "ok", interval: .seconds(60))],
                jitter: 0, initialStagger: .zero),
            concurrency: 4, clock: clock, maxTick: .seconds(5))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await scheduler.run { name, _ in
                    if name == "stuck" {
                        while !Task.isCancelled { await Task.yield() }
                    } else {
                        okScans.withLock { $0 += 1 }
                    }
                }
            }
            while okScans.withLock({ $0 }) < 5 { await Task.yield() }
            group.cancelAll()
        }
        #expect(okScans.withLock { $0 } >= 5)
    }

    @Test func reloadAddsAndRemovesAccounts() {
        var plan = SchedulePlan(
            entries: [.init(name: "a", interval: .seconds(900)), .init(name: "b", interval: .seconds(900))],
            jitter: 0, initialStagger: .zero)
        plan.start(now: Self.start)
        plan.scanStarted("a", at: Self.start, random: 0.5)
        let later = Self.start.addingTimeInterval(60)
        plan.replace(
            entries: [.init(name: "a", interval: .seconds(900)), .init(name: "c", interval: .seconds(900))], now: later)
        #expect(plan.nextDue["a"] == Self.start.addingTimeInterval(900))  // kept
        #expect(plan.nextDue["b"] == nil)  // removed
        #expect(plan.nextDue["c"] == later)  // new: due now
        // Shrinking the interval below the remaining wait makes the account due now.
        plan.replace(entries: [.init(name: "a", interval: .seconds(300))], now: later)
        #expect(plan.nextDue["a"] == later)
    }

    @Test func rememberedDueTimesSurviveARestart() {
        var plan = SchedulePlan(entries: [.init(name: "a", interval: .seconds(900))], jitter: 0)
        let remembered = Self.start.addingTimeInterval(300)
        plan.start(now: Self.start, remembered: ["a": remembered])
        #expect(plan.nextDue["a"] == remembered)
        // A remembered time further away than one interval (clock jump, shorter interval) is not trusted.
        var other = SchedulePlan(entries: [.init(name: "a", interval: .seconds(900))], jitter: 0)
        other.start(now: Self.start, remembered: ["a": Self.start.addingTimeInterval(5000)])
        #expect(other.nextDue["a"] == Self.start)
    }
}
