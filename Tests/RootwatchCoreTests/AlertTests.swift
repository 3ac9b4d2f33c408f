import FoundationEssentials
import RootwatchCore
import Testing

@Suite struct AlertTests {
    @Test func idMatchesTheContractExample() throws {
        let time = try #require(Timestamp.parse("2026-12-04T10:00:03Z"))
        #expect(
            Alert.id(account: "prod", kind: .rootConsoleLogon, keySlot: nil, activityTime: time)
                == "7ff7c8b03a774e26e49b7b62bb4d92fb")
    }

    @Test func idDependsOnEveryPart() throws {
        let time = try #require(Timestamp.parse("2026-12-04T10:00:03Z"))
        let base = Alert.id(account: "prod", kind: .rootAccessKeyUsed, keySlot: "access_key_1", activityTime: time)
        #expect(
            base != Alert.id(account: "prod", kind: .rootAccessKeyUsed, keySlot: "access_key_2", activityTime: time))
        #expect(
            base != Alert.id(account: "prod2", kind: .rootAccessKeyUsed, keySlot: "access_key_1", activityTime: time))
        #expect(
            base
                != Alert.id(
                    account: "prod", kind: .rootAccessKeyUsed, keySlot: "access_key_1",
                    activityTime: time.addingTimeInterval(1)))
        #expect(base.count == 32)
    }

    @Test func messageNamesAccountAndTime() throws {
        let time = try #require(Timestamp.parse("2026-12-04T10:00:03Z"))
        let alert = Alert(
            kind: .rootConsoleLogon, account: "prod", accountID: "1234567890123456", activityTime: time,
            detectedAt: time, window: "7d", source: .credentialReport)
        #expect(alert.message == "Root console logon on account prod (1234567890123456) at 2026-12-04T10:00:03Z")
    }

    @Test(arguments: [
        ("2026-12-04T10:00:03Z", "2026-12-04T10:00:03Z"),
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
        ("2021-01-01T00:00:00.123Z", "2021-01-01T00:00:00Z"),
        ("2021-01-01T00:00:00+00:00", "2021-01-01T00:00:00Z"),
    ])
    func timestampsRoundTrip(input: String, expected: String) throws {
        let date = try #require(Timestamp.parse(input))
        #expect(Timestamp.format(date) == expected)
    }

    @Test(arguments: ["", "-", "N/A", "LOGIN_DISABLED", "2026-13-01T00:00:00Z", "2026-12-04 10:00:03", "yesterday"])
    func nonTimestampsAreRejected(input: String) {
        #expect(Timestamp.parse(input) == nil)
    }
}
