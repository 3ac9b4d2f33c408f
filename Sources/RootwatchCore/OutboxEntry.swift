import FoundationEssentials

/// One pending (or dead-lettered) delivery of one alert to one webhook: the content of one file in
/// `$STATE_DIRECTORY/outbox/` (product.md §5).
///
/// The file carries everything a restarted daemon needs to resume: the alert itself, which webhook
/// it is for, and the retry schedule so far. It never holds the webhook's URL or secret — those stay
/// in the configuration, so a changed URL or a rotated secret applies to deliveries already queued.
package struct OutboxEntry: Sendable, Equatable, Codable {
    /// The file format version; readers skip files with a newer one.
    package static let currentVersion = 1

    package var version: Int = OutboxEntry.currentVersion
    package var alert: Alert
    /// The `[webhook NAME]` this delivery is for.
    package var webhook: String
    /// When the alert entered the outbox; `max_age` counts from here.
    package var created: Date
    /// Failed attempts so far.
    package var attempts: Int = 0
    /// Not before this instant; `created` for a new entry.
    package var nextAttempt: Date
    package var lastAttempt: Date?
    /// Why the last attempt failed (status, platform error code, transport error); never a URL.
    package var lastError: String?
    /// Why the delivery was given up, set when the file moves to `outbox/dead/`.
    package var deadReason: String?
    package var deadAt: Date?

    package init(alert: Alert, webhook: String, created: Date) {
        self.alert = alert
        self.webhook = webhook
        self.created = created
        self.nextAttempt = created
    }

    /// `<alert id>.<webhook>.json`: deterministic, so recording the same alert twice finds the first
    /// file, and unambiguous, since alert ids are 32 hex digits and webhook names contain no `/`.
    package static func fileName(alertID: String, webhook: String) -> String {
        "\(alertID).\(webhook).json"
    }

    package var fileName: String { Self.fileName(alertID: alert.id, webhook: webhook) }

    /// The webhook name inside a file name made by `fileName(alertID:webhook:)`, or nil for any other name
    /// (temporary files, strays).
    package static func webhook(inFileName name: String) -> String? {
        guard name.hasSuffix(".json"), !name.hasPrefix("."), name.utf8.count > 32 + 1 + 5 else { return nil }
        let id = name.prefix(32)
        guard id.allSatisfy(\.isHexDigit), name.dropFirst(32).first == "." else { return nil }
        let webhook = name.dropFirst(33).dropLast(5)
        return webhook.isEmpty ? nil : String(webhook)
    }

    private enum CodingKeys: String, CodingKey {
        case version, alert, webhook, created, attempts
        case nextAttempt = "next_attempt"
        case lastAttempt = "last_attempt"
        case lastError = "last_error"
        case deadReason = "dead_reason"
        case deadAt = "dead_at"
    }

    /// The file's bytes: pretty JSON with sorted keys, times as `YYYY-MM-DDThh:mm:ssZ`.
    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// Reads a file's bytes; throws when they are not an outbox entry.
    package static func decode(_ data: Data) throws -> OutboxEntry {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(OutboxEntry.self, from: data)
    }
}
