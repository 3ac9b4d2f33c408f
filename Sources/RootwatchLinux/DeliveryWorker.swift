import AlibabaCloud
import FoundationEssentials
import RootwatchCore

/// What every delivery worker shares: the outbox, the transport, how to render per webhook, time,
/// randomness and the logger.
package struct DeliveryEnvironment: Sendable {
    package var store: WebhookOutboxStore
    package var transport: any HTTPTransport
    /// The renderer for a webhook's format; a thrown error is retried like a failed attempt.
    package var makeRenderer: @Sendable (WebhookConfiguration) throws -> any WebhookRenderer
    package var clock: any WallClock
    package var random: @Sendable () -> Double
    package var backoff: DeliveryBackoff
    package var logger: Logger
    /// How often an idle worker looks at the directory anyway (files put back from `dead/` by hand);
    /// nil: only when woken.
    package var rescanInterval: Duration?

    package init(
        store: WebhookOutboxStore, transport: any HTTPTransport,
        makeRenderer: @escaping @Sendable (WebhookConfiguration) throws -> any WebhookRenderer,
        clock: any WallClock = SystemWallClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        backoff: DeliveryBackoff = DeliveryBackoff(), logger: Logger, rescanInterval: Duration? = .seconds(300)
    ) {
        self.store = store
        self.transport = transport
        self.makeRenderer = makeRenderer
        self.clock = clock
        self.random = random
        self.backoff = backoff
        self.logger = logger
        self.rescanInterval = rescanInterval
    }
}

/// Delivers one webhook's outbox files, oldest due first, until cancelled or the webhook is removed.
///
/// One worker per webhook, so a slow or failing receiver delays only its own alerts. A retryable
/// failure pauses the whole webhook for the back-off (it grows per receiver, not per alert, so a
/// backlog does not hammer a receiver that is down) and the next attempt after the pause probes with
/// the next due file; the first success resets the back-off and the backlog drains at once. Each
/// file's attempts, last error and next attempt time are rewritten after every failure, so a restart
/// resumes the schedule.
struct DeliveryWorker: Sendable {
    enum Mode: Sendable {
        /// Until cancelled, waiting for new files and retry times.
        case daemon
        /// Until nothing is due now (every file delivered, dead, or waiting for a retry).
        case drain
    }

    let webhook: String
    let environment: DeliveryEnvironment
    let signal: DeliverySignal
    /// The webhook's current configuration; nil once it was removed.
    let configuration: @Sendable () -> WebhookConfiguration?

    private var store: WebhookOutboxStore { environment.store }
    private var logger: Logger { environment.logger }

    /// The loop's memory between rounds.
    private struct Progress {
        var entries: [String: OutboxEntry] = [:]
        var unreadable: Set<String> = []
        /// Consecutive retryable failures of this webhook.
        var failures = 0
        var pausedUntil: Date?
        var lastError: String?
    }

    func run(mode: Mode) async {
        var progress = Progress()
        var firstRound = true
        while !Task.isCancelled {
            guard let webhook = configuration() else { return }
            let policy = DeliveryPolicy(backoff: environment.backoff, maxAge: webhook.maxAge)
            let wake: Date?
            do {
                try await refresh(&progress)
                if firstRound {
                    resume(&progress)
                    firstRound = false
                }
                guard try await round(&progress, webhook: webhook, policy: policy) else { return }
                if mode == .drain && dueNow(progress) == nil { return }
                wake = nextWake(progress, policy: policy)
            } catch {
                logger.error(
                    "Outbox of webhook \(self.webhook): \(error); trying again in 5 s",
                    ["ROOTWATCH_WEBHOOK": self.webhook])
                if mode == .drain { return }
                wake = environment.clock.now().addingTimeInterval(5)
            }
            let rescan = environment.rescanInterval.map {
                environment.clock.now().addingTimeInterval(Double($0.components.seconds))
            }
            await signal.wait(until: [wake, rescan].compactMap { $0 }.min(), clock: environment.clock)
        }
    }

    /// A restart resumes where the files say the webhook was: its back-off continues from the most
    /// attempts any pending delivery has had, and the pause after the latest failure (which honours the
    /// receiver's `Retry-After`) still holds.
    private func resume(_ progress: inout Progress) {
        let latest = progress.entries.values.filter { $0.lastError != nil }.max {
            ($0.lastAttempt ?? .distantPast) < ($1.lastAttempt ?? .distantPast)
        }
        progress.failures = progress.entries.values.map(\.attempts).max() ?? 0
        progress.lastError = latest?.lastError
        progress.pausedUntil = latest?.nextAttempt
    }

    /// Brings the in-memory entries in line with the directory: new files read, vanished ones dropped.
    private func refresh(_ progress: inout Progress) async throws {
        let names = try await store.pendingNames(webhook: webhook)
        let present = Set(names)
        progress.entries = progress.entries.filter { present.contains($0.key) }
        progress.unreadable.formIntersection(present)
        for name in names where progress.entries[name] == nil && !progress.unreadable.contains(name) {
            if await store.isDead(name) {
                try await store.remove(name)  // finish a dead-letter move a crash interrupted
                continue
            }
            do {
                guard let entry = try await store.read(name) else { continue }
                progress.entries[name] = entry
            } catch {
                progress.unreadable.insert(name)
                logger.error(
                    "Outbox file \(store.directory)/\(name) cannot be read and is skipped: \(error)",
                    ["ROOTWATCH_WEBHOOK": webhook])
            }
        }
    }

    /// Expires what waited too long, then attempts what is due unless the webhook is paused. Returns
    /// false when cancelled mid-attempt.
    private func round(_ progress: inout Progress, webhook: WebhookConfiguration, policy: DeliveryPolicy)
        async throws -> Bool
    {
        let now = environment.clock.now()
        let failing = progress.failures > 0 ? progress.lastError : nil
        for entry in sorted(progress.entries.values) {
            if let dead = policy.expired(entry, now: now, webhookError: failing) {
                try await deadLetter(dead, progress: &progress, url: webhook.url)
            }
        }
        if let paused = progress.pausedUntil, now < paused { return true }
        progress.pausedUntil = nil
        guard dueNow(progress) != nil else { return true }

        let renderer: any WebhookRenderer
        do {
            renderer = try environment.makeRenderer(webhook)
        } catch {
            let reason = "cannot render for this webhook: \(error)"
            progress.failures += 1
            progress.lastError = reason
            let wait = environment.backoff.delay(failures: progress.failures, random: environment.random())
            progress.pausedUntil = now.addingTimeInterval(Double(wait.components.seconds))
            logger.error("Webhook \(self.webhook): \(reason)", ["ROOTWATCH_WEBHOOK": self.webhook])
            return true
        }

        for entry in sorted(progress.entries.values) where entry.nextAttempt <= environment.clock.now() {
            let attemptTime = environment.clock.now()
            guard
                let verdict = await DeliveryAttempt.perform(
                    entry.alert, webhook: webhook, renderer: renderer, transport: environment.transport,
                    attemptTime: attemptTime)
            else { return false }
            let failures = progress.failures + (verdict.isRetry ? 1 : 0)
            let step = policy.step(
                after: verdict, for: entry, failures: failures, now: environment.clock.now(),
                random: environment.random())
            let fields = DeliveryAttempt.fields(entry.alert, webhook: self.webhook, url: webhook.url)
            switch step {
            case .remove:
                try await store.remove(entry.fileName)
                progress.entries[entry.fileName] = nil
                progress.failures = 0
                progress.lastError = nil
                logger.info(
                    "Alert \(entry.alert.id) delivered to webhook \(self.webhook) (attempt \(entry.attempts + 1))",
                    fields)
            case .deadLetter(let dead):
                try await deadLetter(dead, progress: &progress, url: webhook.url)
            case .retry(let next):
                try await store.rewrite(next)
                progress.entries[next.fileName] = next
                progress.failures = failures
                progress.lastError = next.lastError
                progress.pausedUntil = next.nextAttempt
                let wait = Int(next.nextAttempt.timeIntervalSince(environment.clock.now()).rounded())
                logger.warning(
                    "Alert \(entry.alert.id) not delivered to webhook \(self.webhook) (\(maskURL(webhook.url))),"
                        + " attempt \(next.attempts): \(next.lastError ?? "?"); retrying in \(wait) s",
                    fields.merging(["ROOTWATCH_REASON": next.lastError ?? ""]) { $1 })
                return true
            }
        }
        return true
    }

    private func deadLetter(_ dead: OutboxEntry, progress: inout Progress, url: String) async throws {
        try await store.deadLetter(dead)
        progress.entries[dead.fileName] = nil
        let reason = dead.deadReason ?? "?"
        logger.error(
            "Alert \(dead.alert.id) for webhook \(webhook) (\(maskURL(url))) given up after \(dead.attempts) attempts: \(reason)",
            DeliveryAttempt.fields(dead.alert, webhook: webhook, url: url).merging(["ROOTWATCH_REASON": reason]) { $1 })
    }

    /// The earliest instant something is due or expires; nil when nothing is pending.
    private func nextWake(_ progress: Progress, policy: DeliveryPolicy) -> Date? {
        let failing = progress.failures > 0
        return progress.entries.values.flatMap { entry -> [Date] in
            var times = [max(entry.nextAttempt, progress.pausedUntil ?? entry.nextAttempt)]
            if entry.attempts > 0 || failing { times.append(policy.expiry(of: entry)) }
            return times
        }.min()
    }

    /// The first entry that could be attempted now, if any.
    private func dueNow(_ progress: Progress) -> OutboxEntry? {
        let now = environment.clock.now()
        if let paused = progress.pausedUntil, now < paused { return nil }
        return sorted(progress.entries.values).first { $0.nextAttempt <= now }
    }

    /// Oldest schedule first, then oldest alert, then name: a stable order for attempts.
    private func sorted(_ entries: Dictionary<String, OutboxEntry>.Values) -> [OutboxEntry] {
        entries.sorted { ($0.nextAttempt, $0.created, $0.fileName) < ($1.nextAttempt, $1.created, $1.fileName) }
    }
}

extension DeliveryVerdict {
    var isRetry: Bool {
        if case .retry = self { return true }
        return false
    }
}
