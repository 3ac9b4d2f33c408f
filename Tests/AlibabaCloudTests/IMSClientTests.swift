import AlibabaCloud
import Foundation
import RootwatchTestSupport
import Testing

/// Generating and downloading the credential report: polling, paging, decoding.
@Suite struct IMSClientTests {
    static let csv1 = "user,user_creation_time,user_last_logon\n<root>,2019-11-11T12:33:18Z,2019-11-11T12:45:18Z\n"
    static let csv2 = "alice@example.onaliyun.com,2020-01-01T00:00:00Z,-\n"

    static func generate(_ state: String, id: String) -> String { #"{"RequestId":"\#(id)","State":"\#(state)"}"# }

    static func page(_ content: String, truncated: String?, next: String? = nil, id: String) -> String {
        var fields = [
            #""RequestId":"\#(id)""#, #""GeneratedTime":"2025-01-02T03:00:00Z""#,
            #""Content":"\#(Digest.base64(Array(content.utf8)))""#,
        ]
        if let truncated { fields.append(#""IsTruncated":\#(truncated)"#) }
        if let next { fields.append(#""NextToken":"\#(next)""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    func ims(_ harness: Harness, polling: IMSClient.Polling = .init()) -> IMSClient {
        IMSClient(rpc: harness.client(), endpoint: Harness.imsEndpoint, polling: polling)
    }

    @Test func pollsUntilCompletedWithCappedBackoff() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.generate("STARTED", id: "G1"))
        for index in 2...5 { harness.transport.enqueueJSON(Self.generate("INPROGRESS", id: "G\(index)")) }
        harness.transport.enqueueJSON(Self.generate("COMPLETED", id: "G6"))
        harness.transport.enqueueJSON(Self.page(Self.csv1, truncated: #""false""#, id: "P1"))
        let report = try await ims(harness).fetchCredentialReport()
        #expect(harness.sleeper.durations == [2, 4, 8, 10, 10].map { Duration.seconds($0) })
        #expect(report.generatedTime == "2025-01-02T03:00:00Z")
        #expect(report.pages == [Array(Self.csv1.utf8)])
        #expect(report.requestIDs == ["G1", "G2", "G3", "G4", "G5", "G6", "P1"])
        let actions = harness.transport.requests.map { action(of: $0) }
        #expect(actions == Array(repeating: "GenerateCredentialReport", count: 6) + ["GetCredentialReport"])
        // MaxItems is left to the server's default (3,501) so the report fits one page.
        #expect(queryParameters(harness.transport.requests.last!)["MaxItems"] == nil)
    }

    @Test func neverCompletingIsATypedError() async throws {
        let harness = Harness()
        for index in 1...3 { harness.transport.enqueueJSON(Self.generate("INPROGRESS", id: "G\(index)")) }
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await ims(harness, polling: .init(maxPolls: 3)).fetchCredentialReport()
        }
        #expect(error.kind == .reportNotReady(lastState: "INPROGRESS"))
        #expect(error.requestID == "G3")
        #expect(error.action == "GenerateCredentialReport")
        #expect(harness.transport.requests.count == 3)
        #expect(harness.sleeper.durations == [.seconds(2), .seconds(4)])
    }

    @Test func unknownStateIsMalformed() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.generate("COMPLETE", id: "G1"))
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await ims(harness).fetchCredentialReport()
        }
        #expect(error.kind == .malformedResponse("unknown State \"COMPLETE\""))
        #expect(error.requestID == "G1")
        #expect(harness.transport.requests.count == 1)
    }

    @Test(arguments: ["true", #""true""#, #""True""#])
    func followsNextTokenWhileTruncated(truncated: String) async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.generate("COMPLETED", id: "G1"))
        harness.transport.enqueueJSON(Self.page(Self.csv1, truncated: truncated, next: "tok/1+=", id: "P1"))
        harness.transport.enqueueJSON(Self.page(Self.csv2, truncated: "false", id: "P2"))
        let report = try await ims(harness).fetchCredentialReport()
        #expect(report.pages == [Array(Self.csv1.utf8), Array(Self.csv2.utf8)])
        #expect(report.requestIDs == ["G1", "P1", "P2"])
        let requests = harness.transport.requests
        #expect(queryParameters(requests[1])["NextToken"] == nil)
        #expect(queryParameters(requests[2])["NextToken"] == "tok/1+=")
        #expect(requests[2].url.hasSuffix("/?NextToken=tok%2F1%2B%3D"))
        #expect(harness.sleeper.durations.isEmpty)
    }

    @Test func absentIsTruncatedMeansOnePage() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.generate("COMPLETED", id: "G1"))
        harness.transport.enqueueJSON(Self.page(Self.csv1, truncated: nil, next: "ignored", id: "P1"))
        let report = try await ims(harness).fetchCredentialReport()
        #expect(report.pages.count == 1)
        #expect(harness.transport.requests.count == 2)
    }

    @Test func truncatedBase64NamesAccountActionAndRequestID() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.generate("COMPLETED", id: "G1"))
        harness.transport.enqueueJSON(
            #"{"RequestId":"7A01826E-7601-44B0-B4DF-2B0C509836DE","GeneratedTime":"2025-01-02T03:00:00Z","Content":"dXNlciw8cm9vdD4","IsTruncated":false}"#
        )
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await ims(harness).fetchCredentialReport()
        }
        guard case .malformedResponse(let what) = error.kind else {
            Issue.record("expected malformedResponse, got \(error.kind)")
            return
        }
        #expect(what.contains("base64"))
        #expect(error.account == "prod")
        #expect(error.action == "GetCredentialReport")
        #expect(error.requestID == "7A01826E-7601-44B0-B4DF-2B0C509836DE")
        #expect(error.description.contains("account prod: GetCredentialReport"))
        #expect(error.description.contains("RequestId 7A01826E-7601-44B0-B4DF-2B0C509836DE"))
    }

    @Test func truncatedWithoutNextTokenIsMalformed() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.generate("COMPLETED", id: "G1"))
        harness.transport.enqueueJSON(Self.page(Self.csv1, truncated: "true", id: "P1"))
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await ims(harness).fetchCredentialReport()
        }
        #expect(error.kind == .malformedResponse("IsTruncated is true but NextToken is missing"))
    }

    @Test func repeatedNextTokenEndsPaging() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.generate("COMPLETED", id: "G1"))
        for index in 1...5 {
            harness.transport.enqueueJSON(Self.page(Self.csv1, truncated: "true", next: "same", id: "P\(index)"))
        }
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await ims(harness).fetchCredentialReport()
        }
        guard case .malformedResponse = error.kind else {
            Issue.record("expected malformedResponse, got \(error.kind)")
            return
        }
        #expect(harness.transport.requests.count == 3)
    }

    @Test func missingContentIsMalformed() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.generate("COMPLETED", id: "G1"))
        harness.transport.enqueueJSON(#"{"RequestId":"P1","GeneratedTime":"2025-01-02T03:00:00Z"}"#)
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await ims(harness).fetchCredentialReport()
        }
        #expect(error.kind == .malformedResponse("no Content"))
        #expect(error.requestID == "P1")
    }

    @Test func apiErrorsPassThroughTyped() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(#"{"Code":"NoPermission","Message":"no","RequestId":"E1"}"#, status: 403)
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await ims(harness).fetchCredentialReport()
        }
        #expect(error.kind == .forbidden)
        #expect(error.action == "GenerateCredentialReport")
    }
}
