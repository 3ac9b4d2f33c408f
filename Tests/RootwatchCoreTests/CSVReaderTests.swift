import Foundation
import RootwatchCore
import Testing

@Suite struct CSVReaderTests {
    @Test(arguments: [
        // Plain rows, LF, final newline.
        ("a,b\nc,d\n", [["a", "b"], ["c", "d"]]),
        // CRLF endings.
        ("a,b\r\nc,d\r\n", [["a", "b"], ["c", "d"]]),
        // Mixed endings and no final newline.
        ("a,b\r\nc,d\ne,f", [["a", "b"], ["c", "d"], ["e", "f"]]),
        // A lone CR ends a line too.
        ("a\rb", [["a"], ["b"]]),
        // UTF-8 byte order mark is not part of the first field.
        ("\u{FEFF}user,x\n", [["user", "x"]]),
        // Empty fields anywhere, including a trailing comma at the end of input.
        (",a,,\n,", [["", "a", "", ""], ["", ""]]),
        // Quoted fields: embedded comma, doubled quote, LF and CRLF kept verbatim.
        ("\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"c\r\nd\"\n", [["a,b", "say \"hi\"", "l1\nl2", "c\r\nd"]]),
        // A quoted empty field and an empty quoted field at the end.
        ("\"\",x,\"\"", [["", "x", ""]]),
        // Blank lines are skipped.
        ("a\n\n\r\nb\n", [["a"], ["b"]]),
        // Nothing at all.
        ("", []),
        // Non-ASCII text survives.
        ("名前,é\n", [["名前", "é"]]),
    ])
    func readsRows(input: String, expected: [[String]]) throws {
        #expect(try CSVReader.rows(Array(input.utf8)) == expected)
    }

    @Test(arguments: [
        // A quote in the middle of an unquoted field, on line 2, field 2.
        ("a,b\nc,d\"e\n", CSVError.quoteInUnquotedField(line: 2, field: 2)),
        // Text after a closing quote.
        ("\"x\"y,z\n", CSVError.textAfterClosingQuote(line: 1, field: 1)),
        // A quote never closed: reported where it opened, even after embedded newlines.
        ("a\nb,\"open\n\nstill open", CSVError.unterminatedQuote(line: 2, field: 2)),
        // Line numbers count line breaks inside earlier quoted fields.
        ("\"1\n2\"\nx\"", CSVError.quoteInUnquotedField(line: 3, field: 1)),
    ])
    func reportsMalformedInput(input: String, expected: CSVError) {
        #expect(throws: expected) { try CSVReader.rows(Array(input.utf8)) }
    }

    @Test(arguments: [
        // Stray quote in `bob"@example…`, the fourth line.
        ("malformed-stray-quote.csv", CSVError.quoteInUnquotedField(line: 4, field: 1)),
        // A quote opened on line 5 and never closed.
        ("malformed-unterminated-quote.csv", CSVError.unterminatedQuote(line: 5, field: 1)),
        // `"x"y` on line 2.
        ("malformed-text-after-quote.csv", CSVError.textAfterClosingQuote(line: 2, field: 1)),
    ])
    func reportsMalformedFixtures(name: String, expected: CSVError) throws {
        let bytes = try FixtureFiles.bytes(name)
        #expect(throws: expected) { try CSVReader.rows(bytes) }
        #expect(expected.description.hasPrefix("line \(expected.line), field \(expected.field): "))
    }

    @Test func quotedFixtureKeepsEmbeddedCommasNewlinesAndQuotes() throws {
        let rows = try CSVReader.rows(FixtureFiles.bytes("report-quoted.csv"))
        #expect(rows.count == 4)
        #expect(rows.allSatisfy { $0.count == rows[0].count })
        #expect(rows[1].last == "root, the \"owner\"\naccount")
        #expect(rows[2].first == "weird, \"name\"@example.onaliyun.com")
        #expect(rows[2].last == "line1\r\nline2")
    }
}
