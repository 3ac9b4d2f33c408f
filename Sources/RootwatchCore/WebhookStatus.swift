import AlibabaCloud
import FoundationEssentials

/// One webhook's delivery backlog as `rootwatchd status` shows it: read from the outbox directory,
/// so it is current while the daemon runs.
package struct WebhookStatus: Sendable, Equatable {
    package var name: String
    /// The format and masked URL; nil for a webhook that has files but is no longer configured.
    package var format: WebhookFormat?
    package var maskedURL: String?
    /// Deliveries waiting in `outbox/`.
    package var pending: Int
    /// Deliveries given up, in `outbox/dead/`.
    package var dead: Int
    /// The most recent failure among pending deliveries (or, when none is failing, the newest dead
    /// letter's reason).
    package var lastError: String?
    /// When the oldest pending delivery was queued.
    package var oldestPending: Date?

    package init(
        name: String, format: WebhookFormat? = nil, maskedURL: String? = nil, pending: Int = 0, dead: Int = 0,
        lastError: String? = nil, oldestPending: Date? = nil
    ) {
        self.name = name
        self.format = format
        self.maskedURL = maskedURL
        self.pending = pending
        self.dead = dead
        self.lastError = lastError
        self.oldestPending = oldestPending
    }

    /// Summarises outbox entries per webhook: configured webhooks first, in configuration order,
    /// then any other name that still has files.
    package static func summarize(
        configured: [WebhookConfiguration], pending: [OutboxEntry], dead: [OutboxEntry]
    ) -> [WebhookStatus] {
        let names =
            configured.map(\.name)
            + Set(pending.map(\.webhook) + dead.map(\.webhook)).subtracting(configured.map(\.name)).sorted()
        return names.map { name in
            let waiting = pending.filter { $0.webhook == name }
            let given = dead.filter { $0.webhook == name }
            let failing = waiting.filter { $0.lastError != nil }.max {
                ($0.lastAttempt ?? .distantPast) < ($1.lastAttempt ?? .distantPast)
            }
            let newestDead = given.max { ($0.deadAt ?? .distantPast) < ($1.deadAt ?? .distantPast) }
            let configuration = configured.first { $0.name == name }
            return WebhookStatus(
                name: name, format: configuration?.format, maskedURL: configuration.map { maskURL($0.url) },
                pending: waiting.count, dead: given.count,
                lastError: failing?.lastError ?? newestDead?.deadReason,
                oldestPending: waiting.map(\.created).min())
        }
    }

    /// The `webhooks` element of `status --json`.
    package var json: JSONValue {
        [
            "name": .string(name),
            "format": format.map { .string($0.rawValue) } ?? .null,
            "url": maskedURL.map(JSONValue.string) ?? .null,
            "configured": .bool(format != nil),
            "pending": .number(Double(pending)),
            "dead": .number(Double(dead)),
            "last_error": lastError.map(JSONValue.string) ?? .null,
            "oldest_pending": oldestPending.map { .string(Timestamp.format($0)) } ?? .null,
        ]
    }
}
