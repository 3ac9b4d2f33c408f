import AlibabaCloud
import Foundation
import RootwatchCore
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// Every CSV quirk of quirks.json (BOM, CRLF, quoting, shuffled, extra and dropped columns, header
/// once or on every page, and all of them at once with paging) downloads through libcurl and parses
/// to the same `<root>` row: console logon 5 minutes ago, MFA off, `access_key_1` active and used 3
/// days ago, `access_key_2` inactive and never used, five RAM users with awkward names.
@Suite(.fakeCloud("quirks.json"))
struct FakeCloudQuirkTests {
    /// The scenario's accounts, read from the file so a new quirk account is covered automatically.
    static let accounts: [String] =
        ((try? FakeCloudProcess.loadScenario("quirks.json"))?["accounts"]?.arrayValue ?? [])
        .compactMap { $0["name"]?.stringValue }

    @Test func everyQuirkAccountIsListed() {
        #expect(
            Set(Self.accounts) == [
                "bom", "crlf", "quote-all", "shuffled", "extra-columns", "no-mfa-column", "header-once",
                "header-every-page", "everything",
            ])
    }

    @Test(arguments: FakeCloudQuirkTests.accounts)
    func quirkParsesToTheSameRootRow(account: String) async throws {
        let fixture = try FakeCloudFixture.require()
        let cloud = fixture.cloud
        let quirks = try #require(cloud.account(account)?["credential_report"]?["quirks"])
        let dropped = Set((quirks["drop_columns"]?.arrayValue ?? []).compactMap(\.stringValue))
        // Alternate the scheme across accounts: both must read every quirk.
        let signature: SignatureVersion = (Self.accounts.firstIndex(of: account) ?? 0).isMultiple(of: 2) ? .v3 : .v1
        let ims = fixture.ims(try fixture.client(account: account, signature: signature))

        let download = try await ims.fetchCredentialReport()
        let report = try CredentialReport.parse(pages: download.pages)

        let pageSize = cloud.account(account)?["credential_report"]?["page_size"]?.intValue
        #expect(download.pages.count == (pageSize == 2 ? 3 : 1))
        #expect(report.userCount == 5)
        #expect(report.diagnostics.isEmpty)
        #expect(report.columns.first == "user" || quirks["shuffle_columns"] != nil)
        let logon = try #require(report.root.lastConsoleLogon)
        #expect(cloud.resolvedTime(offset: .seconds(-300)).contains(logon))
        #expect(report.root.mfaActive == (dropped.contains("mfa_active") ? nil : false))

        let slots = KeySlot.names.filter { slot in
            !["_exist", "_active", "_last_rotated", "_last_used"].allSatisfy { dropped.contains(slot + $0) }
        }
        #expect(report.root.keys.map(\.slot) == slots)
        let keys = Dictionary(uniqueKeysWithValues: report.root.keys.map { ($0.slot, $0) })
        let first = try #require(keys["access_key_1"])
        #expect(first.exists == true)
        #expect(first.active == true)
        #expect(cloud.resolvedTime(offset: .seconds(-3 * 86_400)).contains(try #require(first.lastUsed)))
        #expect(keys["access_key_2"] == KeySlot(slot: "access_key_2", exists: true, active: false, lastUsed: nil))
        for slot in slots.dropFirst(2) {
            #expect(keys[slot] == KeySlot(slot: slot, exists: false, active: false, lastUsed: nil))
        }
    }
}
