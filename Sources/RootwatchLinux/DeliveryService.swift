import AlibabaCloud
import FoundationEssentials
import RootwatchCore
import Synchronization

/// Drains the webhook outbox while the daemon scans: one worker per configured webhook, all children
/// of `run`'s task group, so cancelling `run` (SIGTERM) stops every worker and abandons attempts in
/// flight — their files stay and are sent after the restart.
///
/// `outbox` is the matching `AlertSink`: each file it records wakes its webhook's worker at once.
/// `update(webhooks:)` (SIGHUP) starts workers for new webhooks, lets workers of removed ones finish,
/// and wakes every worker so changed URLs, secrets and `max_age` apply to queued deliveries. Files of
/// a webhook that is no longer configured are kept (with a warning), and are delivered if it returns.
package final class DeliveryService: Sendable {
    package let outbox: WebhookOutbox
    private let environment: DeliveryEnvironment
    private let webhooks: Mutex<[WebhookConfiguration]>
    private let signals = DeliverySignals()
    /// Wakes `run`'s own loop after `update`.
    private let control = DeliverySignal()

    package init(
        webhooks: [WebhookConfiguration], environment: DeliveryEnvironment,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.webhooks = Mutex(webhooks)
        self.environment = environment
        let signals = signals
        outbox = WebhookOutbox(store: environment.store, webhooks: webhooks, now: now) { signals.raise($0) }
    }

    /// Replaces the webhook set (configuration reload).
    package func update(webhooks new: [WebhookConfiguration]) {
        outbox.update(webhooks: new)
        webhooks.withLock { $0 = new }
        signals.raiseAll()
        control.raise()
    }

    /// Delivers until cancelled.
    package func run() async {
        await run(mode: .daemon)
    }

    /// Attempts everything that is due now, once per webhook, and returns (for `check`): deliveries
    /// that fail stay in the outbox for the daemon.
    package func drain() async {
        await run(mode: .drain)
    }

    /// The number of pending files; with `webhook`, only that webhook's.
    package func pendingCount(webhook: String? = nil) async -> Int {
        (try? await environment.store.pendingNames(webhook: webhook).count) ?? 0
    }

    private func run(mode: DeliveryWorker.Mode) async {
        await warnAboutUnconfigured()
        await withTaskGroup(of: String?.self) { group in
            var running = Set<String>()
            var controlWaiting = false
            while !Task.isCancelled {
                let wanted = webhooks.withLock { $0.map(\.name) }
                for name in wanted where !running.contains(name) {
                    running.insert(name)
                    let worker = DeliveryWorker(
                        webhook: name, environment: environment, signal: signals.signal(for: name),
                        configuration: { [self] in configuration(named: name) })
                    group.addTask {
                        await worker.run(mode: mode)
                        return name
                    }
                }
                if mode == .drain {
                    while await group.next() != nil {}
                    return
                }
                if !controlWaiting {
                    controlWaiting = true
                    group.addTask { [control] in
                        await control.wait()
                        return nil
                    }
                }
                guard let finished = await group.next() else { break }
                if let name = finished {
                    running.remove(name)
                } else {
                    controlWaiting = false
                    await warnAboutUnconfigured()
                }
            }
            group.cancelAll()
        }
    }

    private func configuration(named name: String) -> WebhookConfiguration? {
        webhooks.withLock { $0.first { $0.name == name } }
    }

    /// Logs one warning per webhook name that has pending files but no configuration.
    private func warnAboutUnconfigured() async {
        let names = (try? await environment.store.pendingNames()) ?? []
        let configured = Set(webhooks.withLock { $0.map(\.name) })
        var orphans: [String: Int] = [:]
        for name in names {
            if let webhook = OutboxEntry.webhook(inFileName: name), !configured.contains(webhook) {
                orphans[webhook, default: 0] += 1
            }
        }
        for (webhook, count) in orphans.sorted(by: { $0.key < $1.key }) {
            environment.logger.warning(
                "\(count) pending deliveries for webhook \(webhook), which is no longer configured, are kept in"
                    + " \(environment.store.directory); they are sent if [webhook \(webhook)] is configured again",
                ["ROOTWATCH_WEBHOOK": webhook])
        }
    }
}

/// Each webhook's wake-up signal by name, made on first use: the outbox may raise one before its
/// worker has started, and the signal keeps that wake-up for it.
private final class DeliverySignals: Sendable {
    private let table = Mutex<[String: DeliverySignal]>([:])

    func signal(for name: String) -> DeliverySignal {
        table.withLock { table in
            if let signal = table[name] { return signal }
            let signal = DeliverySignal()
            table[name] = signal
            return signal
        }
    }

    func raise(_ name: String) { signal(for: name).raise() }

    func raiseAll() {
        for signal in table.withLock({ Array($0.values) }) { signal.raise() }
    }
}
