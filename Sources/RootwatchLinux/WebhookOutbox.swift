import FoundationEssentials
import RootwatchCore
import Synchronization

/// The webhook side of alerting as an `AlertSink`: `emit` durably records one outbox file per webhook
/// whose filters accept the alert, then wakes that webhook's delivery worker.
///
/// Recording, not sending, is what `emit` promises — the monitor saves state only after every sink
/// returned, so an alert is on disk before the state that records it (product.md §4), and delivery
/// runs separately with retries. Recording the same alert again is a no-op (file names come from the
/// deterministic alert id), so a re-raised alert is not queued twice.
package final class WebhookOutbox: AlertSink {
    package let store: WebhookOutboxStore
    private let webhooks: Mutex<[WebhookConfiguration]>
    private let now: @Sendable () -> Date
    private let added: @Sendable (_ webhook: String) -> Void

    /// - Parameters:
    ///   - added: called with the webhook's name after a new file was written (the delivery wake-up).
    package init(
        store: WebhookOutboxStore,
        webhooks: [WebhookConfiguration],
        now: @escaping @Sendable () -> Date = { Date() },
        added: @escaping @Sendable (_ webhook: String) -> Void = { _ in }
    ) {
        self.store = store
        self.webhooks = Mutex(webhooks)
        self.now = now
        self.added = added
    }

    /// Replaces the webhook set (configuration reload); later alerts follow the new filters.
    package func update(webhooks new: [WebhookConfiguration]) {
        webhooks.withLock { $0 = new }
    }

    package func emit(_ alert: Alert) async throws {
        let targets = webhooks.withLock { $0 }.filter { $0.accepts(account: alert.account, kind: alert.kind) }
        let created = now()
        for webhook in targets {
            if try await store.add(OutboxEntry(alert: alert, webhook: webhook.name, created: created)) {
                added(webhook.name)
            }
        }
    }
}
