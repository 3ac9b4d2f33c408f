/// The configuration's duration syntax: `90s`, `30m`, `24h`, `7d`, or combinations in descending unit
/// order such as `1h30m`. Whole units only, so a value always prints back the way it was meant.
package enum ConfigDuration {
    private static let units: [(suffix: UInt8, seconds: Int64)] = [
        (UInt8(ascii: "d"), 86_400), (UInt8(ascii: "h"), 3_600), (UInt8(ascii: "m"), 60), (UInt8(ascii: "s"), 1),
    ]
    /// Ten years: beyond any sensible setting, and far from overflowing.
    private static let maximumSeconds: Int64 = 10 * 365 * 86_400

    /// Parses `text`; nil when it is not a duration (empty, unknown unit, units out of order or repeated,
    /// a number without a unit, longer than ten years).
    package static func parse(_ text: String) -> Duration? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var total: Int64 = 0
        var index = 0
        var nextUnit = 0
        while index < bytes.count {
            var number: Int64 = 0
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                number = number * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
                if number > maximumSeconds { return nil }
            }
            guard digits > 0, index < bytes.count,
                let unit = units[nextUnit...].firstIndex(where: { $0.suffix == bytes[index] })
            else { return nil }
            total += number * units[unit].seconds
            guard total <= maximumSeconds else { return nil }
            nextUnit = unit + 1
            index += 1
        }
        return .seconds(total)
    }

    /// Formats whole seconds in the same syntax, largest units first: `7d`, `1h30m`, `0s`.
    package static func format(_ duration: Duration) -> String {
        var remaining = duration.components.seconds
        guard remaining > 0 else { return "0s" }
        var text = ""
        for unit in units where remaining >= unit.seconds {
            text += "\(remaining / unit.seconds)\(Character(Unicode.Scalar(unit.suffix)))"
            remaining %= unit.seconds
        }
        return text
    }
}
