/// The configuration's duration syntax: `90s`, `30m`, `24h`, `7d`, or combinations like `1h30m`.
///
/// Units run from days down to seconds, each at most once, so every text has one meaning; `format` writes
/// the canonical form back (`90s` → `1m30s`), which is what alerts and status show as the window.
package enum DurationText {
    /// Seconds per unit, largest first.
    private static let units: [(unit: Character, seconds: Int64)] = [
        ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1),
    ]

    /// Parses `text` (surrounding blanks ignored) into a whole number of seconds.
    package static func parse(_ text: String) throws(DurationTextError) -> Duration {
        let text = text.trimmingBlanks
        guard !text.isEmpty else { throw .empty }
        guard !text.hasPrefix("-") else { throw .negative(text) }
        var total: Int64 = 0
        var number: Int64?
        var nextUnit = 0
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (times10, overflow1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (value, overflow2) = times10.addingReportingOverflow(Int64(digit))
                guard !overflow1 && !overflow2 else { throw .overflow(text) }
                number = value
                continue
            }
            guard let unitIndex = units.firstIndex(where: { $0.unit == character }) else {
                throw .unknownUnit(text, String(character))
            }
            guard let value = number else { throw .missingNumber(text) }
            guard unitIndex >= nextUnit else { throw .unitOrder(text) }
            let (seconds, overflow1) = value.multipliedReportingOverflow(by: units[unitIndex].seconds)
            let (sum, overflow2) = total.addingReportingOverflow(seconds)
            guard !overflow1 && !overflow2 && sum <= maxSeconds else { throw .overflow(text) }
            total = sum
            number = nil
            nextUnit = unitIndex + 1
        }
        guard number == nil else { throw .missingUnit(text) }
        return .seconds(total)
    }

    /// The longest duration accepted: 100 years, far beyond any sensible setting but safe for date arithmetic.
    package static let maxSeconds: Int64 = 100 * 365 * 86_400

    /// The canonical text of `duration`, whole seconds: `7d`, `1h30m`, `0s`.
    package static func format(_ duration: Duration) -> String {
        var rest = max(duration.components.seconds, 0)
        guard rest > 0 else { return "0s" }
        var text = ""
        for (unit, seconds) in units where rest >= seconds {
            text += "\(rest / seconds)\(unit)"
            rest %= seconds
        }
        return text
    }
}

/// Why a text is not a duration. The description is the phrase a configuration error ends with.
package enum DurationTextError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case negative(String)
    case unknownUnit(String, String)
    case missingNumber(String)
    case missingUnit(String)
    case unitOrder(String)
    case overflow(String)

    package var description: String {
        let hint = "(use 30m, 24h, 7d)"
        return switch self {
        case .empty: "empty value is not a duration \(hint)"
        case .negative(let text): "\"\(text)\" is negative; a duration cannot be \(hint)"
        case .unknownUnit(let text, let unit):
            "\"\(text)\" is not a duration: unknown unit \"\(unit)\" (units are d, h, m, s; use 30m, 24h, 7d)"
        case .missingNumber(let text): "\"\(text)\" is not a duration: a unit without a number \(hint)"
        case .missingUnit(let text): "\"\(text)\" is not a duration: a number without a unit \(hint)"
        case .unitOrder(let text): "\"\(text)\" is not a duration: units must go d, h, m, s, each once \(hint)"
        case .overflow(let text): "\"\(text)\" is too long a duration (at most 36500d)"
        }
    }
}
