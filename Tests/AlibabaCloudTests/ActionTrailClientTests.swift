import AlibabaCloud
import Foundation
import RootwatchTestSupport
import Testing

/// ActionTrail LookupEvents: the query sent and the page decoded.
@Suite struct ActionTrailClientTests {
    static let endpoint = try! Endpoint(Endpoint.expand(Endpoint.defaultActionTrail, region: "cn-hangzhou"))
    static let event = #"""
        {"eventId":"2546c4b7-6b56-403e-97d3-500d8d29****","eventType":"ConsoleSignin","eventName":"ConsoleSignin",
         "userIdentity":{"accountId":"151266687691****","principalId":"151266687691****","type":"root-account","userName":"root"},
         "additionalEventData":{"loginAccount":"Alice","isMFAChecked":"false"},"sourceIpAddress":"192.168.XX.XX",
         "eventTime":"2021-01-01T00:00:00Z","isGlobal":true}
        """#

    @Test func lookupEventsSendsConsoleSigninQueryAndPages() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(#"{"RequestId":"L1","NextToken":"page2","Events":[\#(Self.event)]}"#)
        harness.transport.enqueueJSON(#"{"RequestId":"L2","NextToken":"","Events":[]}"#)
        let trail = ActionTrailClient(rpc: harness.client(), endpoint: Self.endpoint)
        let start = UTCTimestamp.parse("2025-01-01T00:00:00Z")!
        let end = UTCTimestamp.parse("2025-01-02T00:00:00Z")!
        let first = try await trail.lookupEvents(startTime: start, endTime: end)
        #expect(first.nextToken == "page2")
        #expect(first.requestID == "L1")
        #expect(first.events.count == 1)
        #expect(first.events[0][path: "userIdentity", "type"]?.stringValue == "root-account")
        let second = try await trail.lookupEvents(startTime: start, endTime: end, nextToken: "page2", maxResults: 20)
        #expect(second.nextToken == nil)
        #expect(second.events.isEmpty)

        let requests = harness.transport.requests
        #expect(requests[0].header("host") == "actiontrail.cn-hangzhou.aliyuncs.com")
        #expect(requests[0].header("x-acs-action") == "LookupEvents")
        #expect(requests[0].header("x-acs-version") == "2020-07-06")
        #expect(
            queryParameters(requests[0]) == [
                "StartTime": "2025-01-01T00:00:00Z", "EndTime": "2025-01-02T00:00:00Z",
                "LookupAttribute.1.Key": "EventName", "LookupAttribute.1.Value": "ConsoleSignin", "MaxResults": "50",
            ])
        // The V3-D vector's query string, byte for byte.
        #expect(
            requests[0].url
                == "https://actiontrail.cn-hangzhou.aliyuncs.com/?EndTime=2025-01-02T00%3A00%3A00Z&LookupAttribute.1.Key=EventName&LookupAttribute.1.Value=ConsoleSignin&MaxResults=50&StartTime=2025-01-01T00%3A00%3A00Z"
        )
        var expectedSecond = queryParameters(requests[0])
        expectedSecond["NextToken"] = "page2"
        expectedSecond["MaxResults"] = "20"
        #expect(queryParameters(requests[1]) == expectedSecond)
        #expect(
            requests.allSatisfy {
                verifyV3($0, accessKeyID: Harness.key.accessKeyID, secret: Harness.key.accessKeySecret)
            })
    }

    @Test func maxResultsIsClampedToTheAPIRange() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(#"{"RequestId":"L1"}"#)
        let trail = ActionTrailClient(rpc: harness.client(), endpoint: Self.endpoint)
        let page = try await trail.lookupEvents(
            startTime: Date(timeIntervalSince1970: 0), endTime: Date(timeIntervalSince1970: 60), maxResults: 500)
        #expect(page.events.isEmpty)
        #expect(page.nextToken == nil)
        #expect(queryParameters(harness.transport.requests[0])["MaxResults"] == "50")
    }

    @Test func nonListEventsIsMalformed() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(#"{"RequestId":"L1","Events":"oops"}"#)
        let trail = ActionTrailClient(rpc: harness.client(), endpoint: Self.endpoint)
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await trail.lookupEvents(
                startTime: Date(timeIntervalSince1970: 0), endTime: Date(timeIntervalSince1970: 60))
        }
        #expect(error.kind == .malformedResponse("Events is not a list"))
        #expect(error.requestID == "L1")
    }
}
