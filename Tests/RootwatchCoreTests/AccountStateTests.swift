import Foundation
import RootwatchCore
import Testing

@Suite struct AccountStateTests {
    /// A state with every field set, matching `Fixtures/state-v1.json`.
    static let full: DaemonState = {
        var state = AccountState(firstSeen: time("2026-11-01T00:00:00Z"))
        state.accountID = "1234567890123456"
        state.lastSuccessfulScan = time("2026-12-04T11:45:00Z")
        state.lastAttempt = time("2026-12-04T12:00:00Z")
        state.consecutiveFailures = 1
        state.lastError = "throttled"
        state.reportTime = time("2026-12-04T08:00:00Z")
        state.lastConsoleLogon = time("2026-12-04T10:00:03Z")
        state.lastAlertedConsoleLogon = time("2026-12-04T10:00:03Z")
        state.keys = [
            "access_key_1": KeyState(
                lastUsed: time("2026-12-03T08:00:00Z"), lastAlertedUse: time("2026-12-03T08:00:00Z"), active: true,
                activeAlertedSince: time("2026-11-01T00:00:00Z"))
        ]
        state.mfaActive = false
        state.mfaDisabledAlertedSince = time("2026-11-01T00:00:00Z")
        state.stale = true
        state.lastAlert = LastAlert(
            id: "7ff7c8b03a774e26e49b7b62bb4d92fb", kind: .rootConsoleLogon, at: time("2026-12-04T10:04:11Z"))
        state.nextDue = time("2026-12-04T12:15:00Z")
        state.recentLogons = [
            RecentLogon(
                time: time("2026-12-04T10:00:03Z"), source: .actiontrail, alertID: "7ff7c8b03a774e26e49b7b62bb4d92fb",
                eventID: "ev-1")
        ]
        state.actionTrail = ActionTrailCursor(
            checkedUntil: time("2026-12-04T11:55:00Z"), lastPoll: time("2026-12-04T11:55:10Z"))
        return DaemonState(accounts: ["prod": state, "new": AccountState(firstSeen: time("2026-12-04T12:00:00Z"))])
    }()

    private static func encode(_ state: DaemonState) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(state), as: UTF8.self) + "\n"
    }

    @Test func encodesTheStableSnakeCaseFormat() throws {
        let golden = String(decoding: try FixtureFiles.bytes("state-v1.json"), as: UTF8.self)
        #expect(try Self.encode(Self.full) == golden)
    }

    @Test func decodesTheStableFormat() throws {
        let decoded = try JSONDecoder().decode(DaemonState.self, from: Data(FixtureFiles.bytes("state-v1.json")))
        #expect(decoded == Self.full)
    }

    @Test func timesAreStringsWhateverTheDateStrategy() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let text = String(decoding: try encoder.encode(Self.full), as: UTF8.self)
        #expect(text.contains("\"last_successful_scan\":\"2026-12-04T11:45:00Z\""))
    }

    @Test func missingKeysTakeDefaults() throws {
        let json = #"{"version": 1, "accounts": {"prod": {}}}"#
        let decoded = try JSONDecoder().decode(DaemonState.self, from: Data(json.utf8))
        #expect(decoded.accounts["prod"] == AccountState())
    }

    @Test(arguments: [
        // A newer daemon's file.
        #"{"version": 2, "accounts": {}}"#,
        // No version at all.
        #"{"accounts": {}}"#,
        // A time in another format.
        #"{"version": 1, "accounts": {"prod": {"last_successful_scan": 1700000000}}}"#,
        #"{"version": 1, "accounts": {"prod": {"report_time": "yesterday"}}}"#,
        // An unknown finding kind in the last alert.
        #"{"version": 1, "accounts": {"prod": {"last_alert": {"id": "x", "kind": "nope", "at": "2026-12-04T10:00:00Z"}}}}"#,
    ])
    func rejectsFilesItCannotUnderstand(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DaemonState.self, from: Data(json.utf8)) }
    }
}

@Suite struct DaemonStateIncrementalEncodingTests {
    @Test func theIncrementalEncodingDecodesToTheSameState() throws {
        var state = DaemonState()
        for index in 0..<5 {
            var account = AccountState(firstSeen: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)))
            account.consecutiveFailures = index
            account.keys["access_key_1"] = KeyState(lastUsed: Date(timeIntervalSince1970: 1_799_000_000), active: true)
            state.accounts["acct-\(index)"] = account
        }
        let data = try state.encodedIncrementally()
        #expect(try JSONDecoder().decode(DaemonState.self, from: data) == state)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 7)  // opening, five accounts, closing
        #expect(lines[1].hasPrefix("\"acct-0\":"))
        #expect(try JSONDecoder().decode(DaemonState.self, from: DaemonState().encodedIncrementally()) == DaemonState())
    }
}
