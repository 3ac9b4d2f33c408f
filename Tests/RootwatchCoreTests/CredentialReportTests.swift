import Foundation
import RootwatchCore
import Testing

/// The `<root>` row every well-formed fixture holds, whatever its encoding or column layout.
private let standardKeys = [
    KeySlot(slot: "access_key_1", exists: true, active: true, lastUsed: time("2026-12-03T08:00:00Z")),
    KeySlot(slot: "access_key_2", exists: false, active: false, lastUsed: nil),
    KeySlot(slot: "additional_access_key_1", exists: true, active: false, lastUsed: time("2026-11-30T23:59:59Z")),
    KeySlot(slot: "additional_access_key_2", exists: false, active: false, lastUsed: nil),
    KeySlot(slot: "additional_access_key_3", exists: false, active: false, lastUsed: nil),
]
private let standardRoot = RootRow(
    lastConsoleLogon: time("2026-12-04T10:00:03Z"), mfaActive: false, keys: standardKeys)

@Suite struct CredentialReportTests {
    @Test(arguments: [
        // LF line endings, final newline.
        ("report-lf.csv", standardRoot),
        // CRLF line endings.
        ("report-crlf.csv", standardRoot),
        // UTF-8 byte order mark before the header (and CRLF).
        ("report-bom.csv", standardRoot),
        // CRLF and LF mixed, no final newline.
        ("report-mixed-endings.csv", standardRoot),
        // LF, no final newline.
        ("report-no-final-newline.csv", standardRoot),
        // Every root cell quoted; other rows with commas, newlines and doubled quotes; an unknown column.
        ("report-quoted.csv", standardRoot),
        // Columns in a shuffled order: mapping is by header name.
        ("report-shuffled-columns.csv", standardRoot),
        // Unknown columns (one looks like a sixth key slot) are ignored.
        ("report-extra-columns.csv", standardRoot),
        // No `mfa_active` column: MFA unknown, not off.
        ("report-missing-mfa.csv", RootRow(lastConsoleLogon: standardRoot.lastConsoleLogon, keys: standardKeys)),
        // No `additional_*` columns: only the two classic slots.
        (
            "report-missing-additional.csv",
            RootRow(lastConsoleLogon: standardRoot.lastConsoleLogon, mfaActive: false, keys: Array(standardKeys[0..<2]))
        ),
        // Booleans in any case: `true`, `True`, `false`.
        (
            "report-lowercase-booleans.csv",
            RootRow(
                lastConsoleLogon: standardRoot.lastConsoleLogon, mfaActive: true, keys: standardKeys)
        ),
        // `-`, `N/A`, `LOGIN_DISABLED` and empty in every signal column mean none / false.
        (
            "report-sentinels.csv",
            RootRow(
                lastConsoleLogon: nil, mfaActive: false,
                keys: KeySlot.names.map { KeySlot(slot: $0, exists: false, active: false, lastUsed: nil) })
        ),
    ])
    func readsTheRootRow(fixture: String, expected: RootRow) throws {
        let report = try CredentialReport.parse(pages: [FixtureFiles.bytes(fixture)])
        #expect(report.root == expected)
        #expect(report.userCount == 2)
        #expect(report.diagnostics.isEmpty)
    }

    @Test(arguments: ["-", "N/A", "LOGIN_DISABLED", "", "n/a", " - "])
    func eachSentinelMeansNoneInEverySignalColumn(sentinel: String) throws {
        let header =
            ["user", "user_last_logon", "mfa_active"]
            + KeySlot.names.flatMap { [$0 + "_exist", $0 + "_active", $0 + "_last_used"] }
        let root = ["<root>"] + Array(repeating: sentinel, count: header.count - 1)
        let text = header.joined(separator: ",") + "\n" + root.joined(separator: ",") + "\n"
        let report = try CredentialReport.parse(pages: [Array(text.utf8)])
        #expect(report.root.lastConsoleLogon == nil)
        #expect(report.root.mfaActive == false)
        #expect(report.root.keys.count == 5)
        #expect(report.root.keys.allSatisfy { $0.exists == false && $0.active == false && $0.lastUsed == nil })
        #expect(report.diagnostics.isEmpty)
        #expect(report.userCount == 0)
    }

    @Test func unparsableTimestampsAreDiagnosticsNotErrors() throws {
        let report = try CredentialReport.parse(pages: [FixtureFiles.bytes("report-unparsable-timestamps.csv")])
        #expect(report.root.lastConsoleLogon == nil)
        #expect(report.root.keys[0].lastUsed == nil)
        #expect(report.root.keys[2].lastUsed == time("2026-11-30T23:59:59Z"))
        #expect(report.diagnostics.map(\.column) == ["user_last_logon", "access_key_1_last_used"])
        #expect(report.diagnostics.map(\.value) == ["2026-12-04 10:00:03", "yesterday"])
        #expect(report.diagnostics[0].description.contains("not a timestamp"))
    }

    @Test func unknownBooleanIsFalseWithADiagnostic() throws {
        let text = "user,mfa_active,access_key_1_active\n<root>,YES,TRUE\n"
        let report = try CredentialReport.parse(pages: [Array(text.utf8)])
        #expect(report.root.mfaActive == false)
        #expect(report.root.keys == [KeySlot(slot: "access_key_1", active: true)])
        #expect(report.diagnostics.map(\.column) == ["mfa_active"])
    }

    @Test func rootMustMatchExactly() throws {
        let text = "user,user_last_logon\n<ROOT>,2026-12-04T10:00:03Z\nroot,2026-12-04T10:00:03Z\n"
        #expect(throws: ReportError.noRootRow(userCount: 2)) { try CredentialReport.parse(pages: [Array(text.utf8)]) }
    }

    @Test func aShortRootRowReadsMissingCellsAsNone() throws {
        let text = "user,user_last_logon,mfa_active\n<root>,2026-12-04T10:00:03Z\n"
        let report = try CredentialReport.parse(pages: [Array(text.utf8)])
        #expect(report.root == RootRow(lastConsoleLogon: time("2026-12-04T10:00:03Z"), mfaActive: false))
    }

    @Test(arguments: [
        // No root row, two RAM users.
        (["report-no-root.csv"], ReportError.noRootRow(userCount: 2)),
        // A header and nothing else.
        (["report-header-only.csv"], ReportError.headerOnly),
        // Zero bytes.
        (["report-empty.csv"], ReportError.empty),
        // Only blank lines.
        (["report-blank-lines.csv"], ReportError.empty),
        // No pages at all.
        ([], ReportError.empty),
        // Data without a header: the first row has no `user` column.
        (
            ["report-no-header.csv"],
            ReportError.noHeader(firstRow: ["<root>", "2019-11-11T12:33:18Z", "2026-12-04T10:00:03Z"])
        ),
        // The second page is not CSV.
        (
            ["report-page1.csv", "malformed-stray-quote.csv"],
            ReportError.malformedCSV(page: 2, .quoteInUnquotedField(line: 4, field: 1))
        ),
    ])
    func rejectsUnusableReports(fixtures: [String], expected: ReportError) throws {
        let pages = try fixtures.map(FixtureFiles.bytes)
        #expect(throws: expected) { try CredentialReport.parse(pages: pages) }
    }

    @Test func noHeaderErrorNamesTheFirstCells() {
        #expect(ReportError.noHeader(firstRow: ["<root>", "a", "b", "c"]).description.contains("'<root>,a,b'"))
    }

    @Test(arguments: [
        // 3,500 RAM users plus root: the largest report IMS generates.
        (3500, true),
        // 3,501 RAM users: more than a report can cover, a scan error.
        (3501, false),
    ])
    func userLimit(ramUsers: Int, accepted: Bool) throws {
        var text = "user,user_last_logon,mfa_active\n<root>,-,TRUE\n"
        for index in 0..<ramUsers { text += "user\(index)@example.onaliyun.com,-,FALSE\n" }
        let pages = [Array(text.utf8)]
        if accepted {
            #expect(try CredentialReport.parse(pages: pages).userCount == ramUsers)
        } else {
            #expect(throws: ReportError.tooManyUsers(ramUsers)) { try CredentialReport.parse(pages: pages) }
            #expect(ReportError.tooManyUsers(ramUsers).description.contains("3501 RAM users"))
        }
    }

    @Test(arguments: [
        // The second page repeats the header row: it is skipped, not read as a user.
        ["report-page1.csv", "report-page2-with-header.csv"],
        // The second page continues with data rows only.
        ["report-page1.csv", "report-page2-without-header.csv"],
        // An empty page in between changes nothing.
        ["report-page1.csv", "report-empty.csv", "report-page2-without-header.csv"],
    ])
    func joinsPages(fixtures: [String]) throws {
        let report = try CredentialReport.parse(pages: fixtures.map(FixtureFiles.bytes))
        #expect(report.root == standardRoot)
        #expect(report.userCount == 2)
    }

    @Test func findsRootOnALaterPage() throws {
        let pages = try ["report-no-root.csv", "report-page2-root.csv"].map(FixtureFiles.bytes)
        let report = try CredentialReport.parse(pages: pages)
        #expect(report.root == standardRoot)
        #expect(report.userCount == 3)
    }

    @Test func duplicateRootRowsUseTheFirstWithADiagnostic() throws {
        let text = "user,user_last_logon\n<root>,2026-12-04T10:00:03Z\n<root>,2026-12-05T10:00:03Z\n"
        let report = try CredentialReport.parse(pages: [Array(text.utf8)])
        #expect(report.root.lastConsoleLogon == time("2026-12-04T10:00:03Z"))
        #expect(report.diagnostics.map(\.column) == ["user"])
    }
}
