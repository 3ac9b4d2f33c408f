import FoundationEssentials

/// The one timestamp format rootwatchd reads and writes: `YYYY-MM-DDThh:mm:ssZ`, UTC, whole seconds,
/// as the credential report, ActionTrail and the alert contract use it.
package enum Timestamp {
    private static let plain = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Formats `date`, truncated to whole seconds, as `2026-12-04T10:00:03Z`.
    package static func format(_ date: Date) -> String {
        plain.format(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
    }

    /// Parses `YYYY-MM-DDThh:mm:ssZ`, also accepting fractional seconds and a `+00:00` offset (ActionTrail
    /// and STS use both); nil when the text is not such a timestamp.
    package static func parse(_ text: String) -> Date? {
        guard text.count >= 20, text.utf8.first.map({ $0 >= 48 && $0 <= 57 }) == true else { return nil }
        if let date = try? plain.parse(text) { return date }
        return try? fractional.parse(text)
    }
}
