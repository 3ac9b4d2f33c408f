import AlibabaCloud
import FoundationEssentials

/// Reads a `Retry-After` header (RFC 9110 §10.2.3): delta-seconds or an HTTP-date.
///
/// An HTTP-date is measured against the response's own `Date` header when it has one (both come from
/// the receiver's clock, so local clock skew cannot stretch or cancel the wait), else against the
/// time the response arrived. Waits are capped at one hour (webhooks.md §8) so a hostile or buggy
/// receiver cannot park an alert for days; garbage and past dates mean "no particular wait".
package enum WebhookRetryAfter {
    /// The longest wait honoured.
    package static let cap: Duration = .seconds(3_600)

    /// The wait `response` asks for, or nil when it asks for none (or nothing readable).
    package static func wait(in response: HTTPResponse, receivedAt: Date?) -> Duration? {
        guard let value = response.header("retry-after") else { return nil }
        let reference = response.header("date").flatMap(parseHTTPDate) ?? receivedAt
        return wait(value, reference: reference)
    }

    /// The wait a `Retry-After` value asks for, relative to `reference` for an HTTP-date.
    package static func wait(_ value: String, reference: Date?) -> Duration? {
        let text = value.trimmingBlanks
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let seconds = Int64(text) else { return cap }  // more digits than Int64: absurdly far
            return seconds > 0 ? min(.seconds(seconds), cap) : nil
        }
        guard let date = parseHTTPDate(text), let reference else { return nil }
        let seconds = Int64((date.timeIntervalSince1970 - reference.timeIntervalSince1970).rounded(.up))
        return seconds > 0 ? min(.seconds(seconds), cap) : nil
    }

    /// Parses the three HTTP-date forms recipients must accept (RFC 9110 §5.6.7): IMF-fixdate
    /// `Sun, 06 Nov 1994 08:49:37 GMT`, obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime
    /// `Sun Nov  6 08:49:37 1994`. The weekday is not checked.
    package static func parseHTTPDate(_ text: String) -> Date? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var day: Int?
        var month: Int?
        var year: Int?
        var clock: String?
        if words.count == 6, words[0].hasSuffix(","), words[5] == "GMT" {  // IMF-fixdate
            day = Int(words[1])
            month = monthNumber(words[2])
            year = words[3].count == 4 ? Int(words[3]) : nil
            clock = words[4]
        } else if words.count == 4, words[0].hasSuffix(","), words[3] == "GMT" {  // RFC 850
            let parts = words[1].split(separator: "-").map(String.init)
            guard parts.count == 3, parts[2].count == 2, let twoDigits = Int(parts[2]) else { return nil }
            day = Int(parts[0])
            month = monthNumber(parts[1])
            year = twoDigits < 70 ? 2000 + twoDigits : 1900 + twoDigits
            clock = words[2]
        } else if words.count == 5 {  // asctime
            month = monthNumber(words[1])
            day = Int(words[2])
            clock = words[3]
            year = words[4].count == 4 ? Int(words[4]) : nil
        }
        guard let day, let month, let year, let clock, (1...31).contains(day) else { return nil }
        let hms = clock.split(separator: ":").map { Int($0) }
        guard hms.count == 3, let hour = hms[0], let minute = hms[1], let second = hms[2],
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func monthNumber(_ name: String) -> Int? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return months.firstIndex(of: name).map { $0 + 1 }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
