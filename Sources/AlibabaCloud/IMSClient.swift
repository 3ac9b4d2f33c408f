/// The credential report as downloaded: decoded CSV bytes per page, before any parsing.
package struct CredentialReportDownload: Sendable, Equatable {
    /// `GeneratedTime` of the report (`2020-10-19T15:06:52Z`), as the first page states it.
    package var generatedTime: String
    /// Each page's `Content`, base64-decoded.
    package var pages: [[UInt8]]
    /// The `RequestId` of every call made, Generate polls first, for support tickets.
    package var requestIDs: [String]

    package init(generatedTime: String, pages: [[UInt8]], requestIDs: [String] = []) {
        self.generatedTime = generatedTime
        self.pages = pages
        self.requestIDs = requestIDs
    }
}

/// `State` of `GenerateCredentialReport`.
package enum CredentialReportState: String, Sendable, Equatable {
    case started = "STARTED"
    case inProgress = "INPROGRESS"
    case completed = "COMPLETED"
}

/// Calls the IMS credential-report API (version 2019-08-15) for one account.
///
/// Docs: https://www.alibabacloud.com/help/en/ram/developer-reference/api-ims-2019-08-15-generatecredentialreport
/// and https://www.alibabacloud.com/help/en/ram/developer-reference/api-ims-2019-08-15-getcredentialreport.
package struct IMSClient: Sendable {
    package static let version = "2019-08-15"

    /// How long to wait for a report that is being generated.
    package struct Polling: Sendable, Equatable {
        /// Wait after the first STARTED/INPROGRESS answer, doubled each time up to `maxDelay`.
        package var initialDelay: Duration
        package var maxDelay: Duration
        /// Generate calls in total before giving up with `reportNotReady`.
        package var maxPolls: Int

        package init(initialDelay: Duration = .seconds(2), maxDelay: Duration = .seconds(10), maxPolls: Int = 20) {
            self.initialDelay = initialDelay
            self.maxDelay = maxDelay
            self.maxPolls = maxPolls
        }
    }

    package let rpc: RPCClient
    package let endpoint: Endpoint
    package var polling: Polling
    /// Bound on `NextToken` pages, against a server that never stops paging.
    package var maxPages: Int

    package init(rpc: RPCClient, endpoint: Endpoint, polling: Polling = Polling(), maxPages: Int = 100) {
        self.rpc = rpc
        self.endpoint = endpoint
        self.polling = polling
        self.maxPages = maxPages
    }

    /// Asks IMS to generate a report (a no-op within four hours of the last one) and returns its state.
    package func generateCredentialReport() async throws -> (state: CredentialReportState, requestID: String?) {
        let action = "GenerateCredentialReport"
        let response = try await rpc.call(action: action, version: Self.version, endpoint: endpoint)
        guard let text = response.body["State"]?.stringValue else {
            throw rpc.malformed("no State", action: action, response)
        }
        guard let state = CredentialReportState(rawValue: text.uppercased()) else {
            throw rpc.malformed("unknown State \"\(text)\"", action: action, response)
        }
        return (state, response.requestID)
    }

    /// Generates the report, waiting with capped back-off until it is COMPLETED, then downloads every
    /// page following `NextToken`.
    ///
    /// `MaxItems` is not sent: the default (3,501) covers the 3,500-user limit plus the root row, so the
    /// report normally fits one page; paging is still followed defensively (alibaba-api.md §1.3, §1.6).
    package func fetchCredentialReport() async throws -> CredentialReportDownload {
        var requestIDs: [String] = []
        var delay = polling.initialDelay
        var polls = 0
        while true {
            polls += 1
            let (state, requestID) = try await generateCredentialReport()
            if let requestID { requestIDs.append(requestID) }
            if state == .completed { break }
            guard polls < polling.maxPolls else {
                throw AlibabaCloudError(
                    kind: .reportNotReady(lastState: state.rawValue), account: rpc.account,
                    action: "GenerateCredentialReport", requestID: requestID, attempts: polls)
            }
            try await rpc.sleeper.sleep(for: delay)
            delay = min(delay * 2, polling.maxDelay)
        }
        return try await download(requestIDs: requestIDs)
    }

    /// Downloads every page of a generated report.
    private func download(requestIDs: [String]) async throws -> CredentialReportDownload {
        let action = "GetCredentialReport"
        var requestIDs = requestIDs
        var pages: [[UInt8]] = []
        var generatedTime: String?
        var nextToken: String?
        var seenTokens: Set<String> = []
        repeat {
            var parameters: [String: String] = [:]
            if let nextToken { parameters["NextToken"] = nextToken }
            let response = try await rpc.call(
                action: action, version: Self.version, parameters: parameters, endpoint: endpoint)
            if let id = response.requestID { requestIDs.append(id) }
            let body = response.body
            guard let content = body["Content"]?.stringValue else {
                throw rpc.malformed("no Content", action: action, response)
            }
            guard let bytes = Digest.base64Decode(content) else {
                throw rpc.malformed(
                    "Content is not valid base64 (\(content.utf8.count) characters)", action: action, response)
            }
            pages.append(bytes)
            if generatedTime == nil {
                guard let time = body["GeneratedTime"]?.stringValue else {
                    throw rpc.malformed("no GeneratedTime", action: action, response)
                }
                generatedTime = time
            }
            nextToken = nil
            if body["IsTruncated"]?.boolValue == true {
                guard let token = body["NextToken"]?.stringValue, !token.isEmpty else {
                    throw rpc.malformed("IsTruncated is true but NextToken is missing", action: action, response)
                }
                guard seenTokens.insert(token).inserted, pages.count < maxPages else {
                    throw rpc.malformed("paging does not end after \(pages.count) pages", action: action, response)
                }
                nextToken = token
            }
        } while nextToken != nil
        return CredentialReportDownload(generatedTime: generatedTime ?? "", pages: pages, requestIDs: requestIDs)
    }

}
