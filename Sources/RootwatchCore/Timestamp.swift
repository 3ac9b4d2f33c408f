import AlibabaCloud
import FoundationEssentials

/// The one timestamp format rootwatchd reads and writes (`YYYY-MM-DDThh:mm:ssZ`, UTC), shared with
/// the cloud client so the whole program formats and parses times one way.
package enum Timestamp {
    package static func format(_ date: Date) -> String { UTCTimestamp.format(date) }
    package static func parse(_ text: String) -> Date? { UTCTimestamp.parse(text) }
}
