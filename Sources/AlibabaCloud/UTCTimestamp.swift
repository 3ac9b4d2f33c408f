import FoundationEssentials

/// Formats and parses the `yyyy-MM-ddTHH:mm:ssZ` UTC timestamps Alibaba Cloud uses everywhere
/// (V1 `Timestamp`, V3 `x-acs-date`, STS `Expiration`, ActionTrail `StartTime`/`EndTime`, the
/// credential report) and that rootwatchd writes in alerts and state.
///
/// The ISO 8601 format styles are fixed to GMT, so the result never depends on the host's locale or
/// time zone.
package enum UTCTimestamp {
    private static let plain = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `date` as `yyyy-MM-ddTHH:mm:ssZ`, fractional seconds dropped.
    package static func format(_ date: Date) -> String {
        plain.format(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
    }

    /// Parses `yyyy-MM-ddTHH:mm:ssZ`, also accepting fractional seconds (dropped) and a `+00:00` offset
    /// (ActionTrail and STS use both); nil for anything else, including other offsets.
    package static func parse(_ text: String) -> Date? {
        // The format styles are lenient about some shapes; insist on a full UTC date and time up front.
        guard text.utf8.count >= 20,
            text.utf8.first.map({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) == true,
            text.hasSuffix("Z") || text.hasSuffix("+00:00"),
            let date = (try? plain.parse(text)) ?? (try? fractional.parse(text))
        else { return nil }
        return Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
