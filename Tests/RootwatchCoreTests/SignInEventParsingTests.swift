import AlibabaCloud
import Foundation
import RootwatchCore
import Testing

/// `SignInEvent.parse` over realistic ActionTrail events, one fixture file each.
@Suite struct SignInEventParsingTests {
    /// Parses `Fixtures/actiontrail/<name>.json`.
    static func parse(_ name: String) throws -> SignInEvent? {
        try SignInEvent.parse(JSONValue.parse(FixtureFiles.bytes("actiontrail/\(name).json")))
    }

    @Test func theVendorsRootSignInExample() throws {
        let event = try #require(try Self.parse("root-signin-vendor-example"))
        #expect(
            event
                == SignInEvent(
                    eventID: "2546c4b7-6b56-403e-97d3-500d8d29****", time: time("2021-01-01T00:00:00Z"),
                    sourceIP: "192.168.XX.XX",
                    userAgent:
                        "Mozilla/5.0 (iPhone; CPU iPhone OS 14_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 NebulaX/1.0.0",
                    mfaChecked: false, region: "cn-hangzhou", loginAccount: "Alice", failed: false, errorCode: nil))
    }

    @Test func aBooleanMFAFlagAndAFractionalOffsetTime() throws {
        let event = try #require(try Self.parse("root-signin-bool-mfa-fractional"))
        #expect(event.mfaChecked == true)
        #expect(event.time == time("2026-12-04T10:00:03Z"), "fraction dropped, +00:00 read as UTC")
        #expect(event.region == "ap-southeast-1")
        #expect(event.loginAccount == "ops@example.com")
        #expect(event.failed == false)
    }

    @Test func aFailedRootSignInIsKeptAsFailed() throws {
        let event = try #require(try Self.parse("root-signin-failed"))
        #expect(event.failed)
        #expect(event.errorCode == "InvalidPassword")
        #expect(event.sourceIP == "198.51.100.99")
    }

    @Test func aMinimalRootSignInFallsBackToTheRequestIDAndLeavesTheRestUnknown() throws {
        let event = try #require(try Self.parse("root-signin-minimal"))
        #expect(event.eventID == "A1B2C3D4-0000-4000-8000-000000000001")
        #expect(event.mfaChecked == nil, "\"maybe\" is neither true nor false")
        #expect(event.sourceIP == nil)
        #expect(event.userAgent == nil)
        #expect(event.region == nil)
    }

    @Test(arguments: [
        // A RAM user's console sign-in: ConsoleSignin, but not the root account.
        "ram-user-signin",
        // A role session signing in to the console (SSO): not the root account.
        "assumed-role-signin",
        // A root AccessKey call: root, but not a console sign-in.
        "root-api-call",
    ])
    func otherEventsAreIgnored(name: String) throws {
        #expect(try Self.parse(name) == nil)
    }

    @Test(arguments: [
        ("malformed-root-signin-no-time", "\"11111111-2222-4333-8444-555555555555\" has no eventTime"),
        (
            "malformed-root-signin-local-time",
            "\"66666666-7777-4888-9999-000000000000\" has an unreadable eventTime \"2026-12-04 18:00:03 +08:00\""
        ),
        ("malformed-signin-no-identity", "\"abcdefab-cdef-4abc-8def-abcdefabcdef\" has no userIdentity"),
        ("malformed-not-an-object", "without an eventId is not a JSON object"),
    ])
    func malformedEventsAreReportedWithTheirID(name: String, expected: String) throws {
        let json = try JSONValue.parse(FixtureFiles.bytes("actiontrail/\(name).json"))
        do {
            let event = try SignInEvent.parse(json)
            Issue.record("expected \(name) to be malformed, got \(String(describing: event))")
        } catch {
            #expect(error.description == "ActionTrail event \(expected)")
        }
    }

    @Test func aRootSignInWithoutAnyIDIsMalformed() {
        let event: JSONValue = [
            "eventName": "ConsoleSignin", "userIdentity": ["type": "root-account"],
            "eventTime": "2026-12-04T10:00:00Z",
        ]
        #expect(
            throws: SignInEvent.Malformed(
                eventID: nil, reason: "at 2026-12-04T10:00:00Z has neither eventId nor requestId")
        ) {
            try SignInEvent.parse(event)
        }
    }
}
