/// The configuration's percentage syntax, as in `jitter = 10%`: a whole number followed by `%`.
///
/// Jitter spreads each account's schedule; beyond 50% two scans of one account could come almost
/// back to back, so the accepted range is bounded.
package enum PercentText {
    /// Parses `text` (surrounding blanks ignored) into a whole percentage inside `range`.
    package static func parse(_ text: String, range: ClosedRange<Int> = 0...50) throws(PercentTextError) -> Int {
        let text = text.trimmingBlanks
        guard text.hasSuffix("%") else { throw .notAPercentage(text) }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let value = Int(digits)
        else { throw .notAPercentage(text) }
        guard range.contains(value) else { throw .outOfRange(text, range) }
        return value
    }

    /// `10%`.
    package static func format(_ percent: Int) -> String { "\(percent)%" }
}

/// Why a text is not an acceptable percentage.
package enum PercentTextError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAPercentage(String)
    case outOfRange(String, ClosedRange<Int>)

    package var description: String {
        switch self {
        case .notAPercentage(let text): "\"\(text)\" is not a percentage (use e.g. 10%)"
        case .outOfRange(let text, let range):
            "\"\(text)\" is out of range (\(range.lowerBound)% to \(range.upperBound)%)"
        }
    }
}
