/// An RFC 4180 CSV reader over raw bytes: quoted fields with embedded commas, line breaks and doubled
/// quotes, an optional UTF-8 byte order mark, and CRLF, LF or mixed line endings.
///
/// The credential report's exact encoding is undocumented (alibaba-api.md §2.3), so the reader accepts
/// every common variant but refuses input that is not CSV at all, naming the line and field, instead of
/// guessing: a misread report could hide a root logon.
package enum CSVReader {
    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Where the reader is inside the current field.
    private enum State {
        case fieldStart
        case unquoted
        /// Inside quotes opened on the given line.
        case quoted(openedOn: Int)
        /// Just after the closing quote: only a comma, a line break or the end may follow.
        case afterQuote
    }

    /// Splits `bytes` into rows of fields.
    ///
    /// Blank lines are skipped and a final line break is optional. Fields are decoded as UTF-8 (invalid
    /// sequences become U+FFFD, so one odd user name cannot fail a whole report). Quoted fields keep their
    /// content verbatim, including line breaks.
    package static func rows(_ bytes: [UInt8]) throws(CSVError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var state = State.fieldStart
        var line = 1
        var index = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0

        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRow() {
            endField()
            if row != [""] { rows.append(row) }
            row = []
        }
        /// Length of the line break at `index` (CRLF, LF or a lone CR), 0 when there is none.
        func lineBreakLength(at index: Int) -> Int {
            switch bytes[index] {
            case lineFeed: 1
            case carriageReturn: index + 1 < bytes.count && bytes[index + 1] == lineFeed ? 2 : 1
            default: 0
            }
        }

        while index < bytes.count {
            let byte = bytes[index]
            let breakLength = lineBreakLength(at: index)
            switch state {
            case .fieldStart, .unquoted, .afterQuote:
                if byte == comma {
                    endField()
                    state = .fieldStart
                    index += 1
                } else if breakLength > 0 {
                    endRow()
                    state = .fieldStart
                    line += 1
                    index += breakLength
                } else if case .afterQuote = state {
                    throw CSVError.textAfterClosingQuote(line: line, field: row.count + 1)
                } else if byte == quote {
                    if case .unquoted = state { throw CSVError.quoteInUnquotedField(line: line, field: row.count + 1) }
                    state = .quoted(openedOn: line)
                    index += 1
                } else {
                    field.append(byte)
                    state = .unquoted
                    index += 1
                }
            case .quoted:
                if byte == quote {
                    if index + 1 < bytes.count && bytes[index + 1] == quote {
                        field.append(quote)
                        index += 2
                    } else {
                        state = .afterQuote
                        index += 1
                    }
                } else {
                    if breakLength > 0 { line += 1 }
                    let length = max(breakLength, 1)
                    field.append(contentsOf: bytes[index..<index + length])
                    index += length
                }
            }
        }

        switch state {
        case .quoted(let openedOn):
            throw CSVError.unterminatedQuote(line: openedOn, field: row.count + 1)
        case .fieldStart:
            // A pending row here ended with a comma: its last field is empty.
            if !row.isEmpty { endRow() }
        case .unquoted, .afterQuote:
            endRow()
        }
        return rows
    }
}

/// Why bytes are not CSV, with the 1-based physical line and field where reading stopped.
package enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `"` in the middle of a field that did not start with one (`ab"c`).
    case quoteInUnquotedField(line: Int, field: Int)
    /// Something other than a comma or line break right after a closing quote (`"ab"c`).
    case textAfterClosingQuote(line: Int, field: Int)
    /// A quoted field still open at the end of the input; `line` is where it was opened.
    case unterminatedQuote(line: Int, field: Int)

    package var line: Int {
        switch self {
        case .quoteInUnquotedField(let line, _), .textAfterClosingQuote(let line, _),
            .unterminatedQuote(let line, _):
            line
        }
    }

    package var field: Int {
        switch self {
        case .quoteInUnquotedField(_, let field), .textAfterClosingQuote(_, let field),
            .unterminatedQuote(_, let field):
            field
        }
    }

    package var description: String {
        switch self {
        case .quoteInUnquotedField(let line, let field):
            "line \(line), field \(field): a quote inside an unquoted field"
        case .textAfterClosingQuote(let line, let field):
            "line \(line), field \(field): text after the closing quote of a quoted field"
        case .unterminatedQuote(let line, let field):
            "line \(line), field \(field): a quoted field is never closed"
        }
    }
}
