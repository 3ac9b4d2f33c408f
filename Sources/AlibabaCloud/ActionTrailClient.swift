import FoundationEssentials

/// One page of ActionTrail `LookupEvents` results.
package struct LookupEventsPage: Sendable, Equatable {
    /// Events as the API returns them (free-form JSON objects).
    package var events: [JSONValue]
    /// Pass to the next call (with the same other parameters); nil when there are no more results.
    package var nextToken: String?
    package var requestID: String?

    package init(events: [JSONValue], nextToken: String?, requestID: String? = nil) {
        self.events = events
        self.nextToken = nextToken
        self.requestID = requestID
    }
}

/// Calls ActionTrail `LookupEvents` (version 2020-07-06) for root console logons.
///
/// There is no filter on the identity type, so the query asks for `EventName=ConsoleSignin` and the
/// caller keeps events whose `userIdentity.type` is `root-account` (alibaba-api.md §6).
/// Doc: https://www.alibabacloud.com/help/en/actiontrail/developer-reference/api-actiontrail-2020-07-06-lookupevents
package struct ActionTrailClient: Sendable {
    package static let version = "2020-07-06"

    package let rpc: RPCClient
    package let endpoint: Endpoint

    package init(rpc: RPCClient, endpoint: Endpoint) {
        self.rpc = rpc
        self.endpoint = endpoint
    }

    /// Fetches one page of ConsoleSignin events between `startTime` and `endTime` (`maxResults`
    /// 1…50).
    package func lookupEvents(
        startTime: Date,
        endTime: Date,
        nextToken: String? = nil,
        maxResults: Int = 50
    ) async throws -> LookupEventsPage {
        let action = "LookupEvents"
        var parameters = [
            "StartTime": UTCTimestamp.format(startTime),
            "EndTime": UTCTimestamp.format(endTime),
            "LookupAttribute.1.Key": "EventName",
            "LookupAttribute.1.Value": "ConsoleSignin",
            "MaxResults": String(min(50, max(1, maxResults))),
        ]
        if let nextToken { parameters["NextToken"] = nextToken }
        let response = try await rpc.call(
            action: action, version: Self.version, parameters: parameters, endpoint: endpoint)
        let events: [JSONValue]
        switch response.body["Events"] {
        case nil, .null?: events = []
        case .array(let list)?: events = list
        default:
            throw rpc.malformed("Events is not a list", action: action, response)
        }
        let token = response.body["NextToken"]?.stringValue
        return LookupEventsPage(
            events: events, nextToken: token?.isEmpty == false ? token : nil, requestID: response.requestID)
    }
}
