import Foundation
import RootwatchCore
import Testing

@Suite struct ConfigurationINIDocumentTests {
    @Test func entriesCarryFileLineAndSection() throws {
        let text = """
            ; a comment
            # another comment
            [daemon]
            interval = 15m   # inline hash comment
            window=7d ; inline semicolon comment

            [account prod]   # header comment
            credentials: main
            [webhook empty]
            """
        let document = try INIDocument.parse(text, file: "/f.conf")
        #expect(
            document.entries == [
                INIEntry(file: "/f.conf", line: 4, section: "daemon", key: "interval", value: "15m"),
                INIEntry(file: "/f.conf", line: 5, section: "daemon", key: "window", value: "7d"),
                INIEntry(file: "/f.conf", line: 8, section: "account prod", key: "credentials", value: "main"),
            ])
        // libinih reports no headers: an empty section is still seen.
        #expect(
            document.sections == [
                INISectionHeader(name: "daemon", line: 3), INISectionHeader(name: "account prod", line: 7),
                INISectionHeader(name: "webhook empty", line: 9),
            ])
    }

    @Test func hashWithoutWhitespaceStaysInTheValue() throws {
        let document = try INIDocument.parse("[webhook w]\nurl = https://example.com/a#frag  # comment\n", file: "f")
        #expect(document.entries.first?.value == "https://example.com/a#frag")
    }

    @Test func continuationLinesFoldIntoTheirKey() throws {
        let text = "[webhook w]\nkinds = root-console-logon\n    root-access-key-used\n\taccount-stale\nmax_age = 1h\n"
        let document = try INIDocument.parse(text, file: "f")
        #expect(
            document.entries == [
                INIEntry(
                    file: "f", line: 2, section: "webhook w", key: "kinds",
                    value: "root-console-logon root-access-key-used account-stale"),
                INIEntry(file: "f", line: 5, section: "webhook w", key: "max_age", value: "1h"),
            ])
    }

    @Test func longLinesBeyondDebianDefaultBufferParse() throws {
        let url = "https://prod-01.westus.logic.azure.com:443/workflows/" + String(repeating: "a", count: 400)
        let document = try INIDocument.parse("[webhook teams]\nurl = \(url)\nformat = teams\n", file: "f")
        #expect(document.entries.map(\.value) == [url, "teams"])
        #expect(document.entries.map(\.line) == [2, 3])
    }

    @Test func overlongLineIsAnErrorNotATruncation() {
        let text = "[daemon]\nwindow = " + String(repeating: "7", count: INIDocument.maximumLineLength) + "\n"
        let error = #expect(throws: ConfigurationError.self) { try INIDocument.parse(text, file: "f") }
        #expect(error?.description == "f:2: line is longer than 4093 bytes")
    }

    @Test func syntaxErrorsNameTheFirstBadLine() {
        let error = #expect(throws: ConfigurationError.self) {
            try INIDocument.parse("[daemon]\ninterval = 1m\njust words\n[broken\n", file: "/c.conf")
        }
        #expect(error?.description == "/c.conf:3: expected \"[section]\", \"key = value\" or a comment")
    }

    @Test func crlfAndByteOrderMarkAreAccepted() throws {
        let document = try INIDocument.parse(Array("\u{FEFF}[daemon]\r\ninterval = 1m\r\n".utf8), file: "f")
        #expect(document.sections == [INISectionHeader(name: "daemon", line: 1)])
        #expect(document.entries.first?.value == "1m")
    }

    @Test func rejectsNulAndInvalidUTF8() {
        let nul = #expect(throws: ConfigurationError.self) {
            try INIDocument.parse("[daemon]\na = b\u{0}\n", file: "f")
        }
        #expect(nul?.description == "f:2: contains a NUL byte")
        let binary = #expect(throws: ConfigurationError.self) { try INIDocument.parse([0xFF, 0xFE], file: "f") }
        #expect(binary?.description == "f: is not UTF-8 text")
    }

    @Test func formatsDurationsLargestUnitFirst() {
        #expect(DurationText.format(.seconds(5_400)) == "1h30m")
        #expect(DurationText.format(.seconds(604_800)) == "7d")
        #expect(DurationText.format(.seconds(93_784)) == "1d2h3m4s")
        #expect(DurationText.format(.zero) == "0s")
    }

    @Test func errorDescriptionsFollowTheDocumentedShapes() {
        #expect(
            ConfigurationError(file: "/a", section: "account prod", key: "window", line: 3, reason: "bad").description
                == "/a: [account prod] window: bad")
        #expect(
            ConfigurationError(file: "/a", section: "credentials x", line: 3, reason: "bad").description
                == "/a: [credentials x]: bad")
        #expect(ConfigurationError(file: "/a", line: 3, reason: "bad").description == "/a:3: bad")
        #expect(ConfigurationError(file: "/a", reason: "bad").description == "/a: bad")
    }
}
