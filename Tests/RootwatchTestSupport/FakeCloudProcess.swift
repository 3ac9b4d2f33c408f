import AlibabaCloud
import Foundation

/// The fake Alibaba Cloud (`Tests/FakeCloud/fakecloud.py`) running on loopback, with its admin API.
///
/// Integration tests point the real client and libcurl at it: every request's signature is checked
/// by the official SDK's own functions, so it is an independent oracle. Admin calls go through the
/// `HTTPTransport` the caller passes (this target cannot link libcurl itself). The process is a
/// `ChildProcess`: SIGKILLed by `stop()` and, as a last resort, by the deinitialiser, so a failing
/// test cannot leave a server behind.
package final class FakeCloudProcess: Sendable {
    /// Why an admin call failed.
    package struct AdminError: Error, CustomStringConvertible {
        package let call: String
        package let status: Int
        package let body: String
        package var description: String { "fake cloud admin \(call): HTTP \(status) \(body)" }
    }

    package let process: ChildProcess
    /// `http://127.0.0.1:PORT`; one port serves IMS, STS and ActionTrail.
    package let url: String
    package let endpoint: Endpoint
    /// The scenario file as loaded, for keys, account IDs and expected rows.
    package let scenario: JSONValue
    /// Bounds on the instant the fake resolved the scenario's relative times (`-5m`): after
    /// `launchedAt` (floored to the second, as the fake does) and before `listeningAt`.
    package let launchedAt: Date
    package let listeningAt: Date
    private let transport: any HTTPTransport

    private init(
        process: ChildProcess, url: String, scenario: JSONValue, launchedAt: Date, listeningAt: Date,
        transport: any HTTPTransport
    ) throws {
        self.process = process
        self.url = url
        self.endpoint = try Endpoint(url)
        self.scenario = scenario
        self.launchedAt = launchedAt
        self.listeningAt = listeningAt
        self.transport = transport
    }

    deinit {
        process.kill()
    }

    /// Starts the fake with `scenario` (a file name under `Tests/FakeCloud/scenarios` or a path) and
    /// waits for its `LISTENING` line. Admin calls will go through `transport`.
    package static func start(
        scenario: String,
        transport: any HTTPTransport,
        arguments: [String] = [],
        timeout: Duration = .seconds(20)
    ) async throws -> FakeCloudProcess {
        _ = loopbackBypassesProxy
        let path = scenario.contains("/") ? scenario : scenarioPath(scenario)
        let document = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let server = sourceRoot.appendingPathComponent("Tests/FakeCloud/fakecloud.py").path
        let launchedAt = Date()
        let (process, url) = try await ChildProcess.startServer(
            [python, server, "--scenario", path, "--port", "0"] + arguments, timeout: timeout)
        do {
            return try FakeCloudProcess(
                process: process, url: url, scenario: document, launchedAt: launchedAt, listeningAt: Date(),
                transport: transport)
        } catch {
            process.kill()
            throw error
        }
    }

    /// Kills the fake and waits (bounded) until it is reaped.
    package func stop() async throws {
        try await process.stop()
    }

    /// The repository root, found from this file's path.
    package static let sourceRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The absolute path of a shipped scenario such as `basic.json`.
    package static func scenarioPath(_ name: String) -> String {
        sourceRoot.appendingPathComponent("Tests/FakeCloud/scenarios/\(name)").path
    }

    /// A shipped scenario, parsed; for test arguments computed before any fake starts.
    package static func loadScenario(_ name: String) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scenarioPath(name)))))
    }

    /// The interpreter with the pinned SDK: `ROOTWATCH_PYTHON`, else the worktree's venv, else `python3`.
    package static var python: String {
        if let configured = ProcessInfo.processInfo.environment["ROOTWATCH_PYTHON"], !configured.isEmpty {
            return configured
        }
        let venv = sourceRoot.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }

    // MARK: Scenario facts

    /// The scenario account named `name`.
    package func account(_ name: String) -> JSONValue? {
        scenario["accounts"]?.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    /// The account's first AccessKey (its root key when `root` is true), as a credential.
    package func credential(_ name: String, root: Bool = false) -> AccessKeyCredential? {
        Self.credential(in: account(name), root: root)
    }

    /// The first matching AccessKey of a scenario account object.
    package static func credential(in account: JSONValue?, root: Bool = false) -> AccessKeyCredential? {
        let key = account?["access_keys"]?.arrayValue?.first { ($0["root"]?.boolValue ?? false) == root }
        guard let id = key?["id"]?.stringValue, let secret = key?["secret"]?.stringValue else { return nil }
        return AccessKeyCredential(accessKeyID: id, accessKeySecret: secret)
    }

    /// The 16-digit ID of the scenario account named `name`.
    package func accountID(_ name: String) -> String? {
        account(name)?["account_id"]?.stringValue
    }

    /// Where a scenario time `offset` from the fake's load instant can lie (whole seconds, as it formats).
    package func resolvedTime(offset: Duration) -> ClosedRange<Date> {
        let seconds = Double(offset.components.seconds)
        let floor = Date(timeIntervalSince1970: launchedAt.timeIntervalSince1970.rounded(.down))
        return floor.addingTimeInterval(seconds)...listeningAt.addingTimeInterval(seconds)
    }

    /// Loopback must never go through a proxy the host configures; set once, only when one is set.
    private static let loopbackBypassesProxy: Bool = {
        let environment = ProcessInfo.processInfo.environment
        let proxyNames = ["http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"]
        guard proxyNames.contains(where: { environment[$0] != nil }) else { return false }
        setenv("no_proxy", "127.0.0.1,localhost,::1", 1)
        return true
    }()

    // MARK: Admin API

    /// One admin call (`GET stats`, `POST faults` …); returns the decoded answer or throws `AdminError`.
    @discardableResult
    package func admin(_ method: String, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        let bytes = body.map { Array(FakeCloudJSON.encode($0).utf8) } ?? []
        let request = HTTPRequest(
            method: method, url: "\(url)/__admin/\(path)",
            headers: bytes.isEmpty ? [] : [("content-type", "application/json")], body: bytes,
            connectTimeout: .seconds(5), timeout: .seconds(10))
        let response = try await transport.send(request)
        guard response.status == 200 else {
            throw AdminError(call: "\(method) \(path)", status: response.status, body: response.bodyText)
        }
        return try JSONValue.parse(response.body)
    }

    /// `GET /__admin/stats`.
    package func stats() async throws -> FakeCloudStats {
        FakeCloudStats(try await admin("GET", "stats"))
    }

    /// Polls until no API request is in the server (a delayed answer the client gave up on still
    /// counts until it is written), so one test's stragglers cannot land in the next one's counters.
    package func waitUntilIdle(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await stats().inFlight > 0 {
            guard ContinuousClock.now < deadline else {
                throw ChildProcess.Failure.timedOut(
                    command: process.command, waitingFor: "no requests in flight", output: process.standardError)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Zeroes the counters and the request log; the peak restarts from the current in-flight count.
    package func resetStats() async throws {
        try await admin("POST", "reset-stats", body: .object([:]))
    }

    /// The last `count` API requests the fake answered, oldest first.
    package func requests(last count: Int = 50) async throws -> [FakeCloudRequest] {
        let answer = try await admin("GET", "requests?last=\(count)")
        return (answer["requests"]?.arrayValue ?? []).map(FakeCloudRequest.init)
    }

    /// Adds faults (README "Faults"); the first matching one with hits left answers a request.
    package func addFaults(_ faults: [FakeCloudFault]) async throws {
        try await admin("POST", "faults", body: .object(["faults": .array(faults.map(\.json))]))
    }

    /// Removes every fault, the scenario's too.
    package func clearFaults() async throws {
        try await admin("POST", "clear-faults", body: .object([:]))
    }

    /// Holds every API request this long before answering.
    package func setLatency(milliseconds: Int) async throws {
        try await admin("POST", "latency", body: .object(["ms": .number(Double(milliseconds))]))
    }

    /// Every STS session issued so far expires now.
    package func expireSessions() async throws {
        try await admin("POST", "expire-sessions", body: .object([:]))
    }

    /// Changes `<root>` cells of an account's report; `restartGeneration` replays its Generate states.
    package func setRoot(account: String, fields: [String: String] = [:], restartGeneration: Bool = false)
        async throws
    {
        try await admin(
            "POST", "root",
            body: .object([
                "account": .string(account), "fields": .object(fields.mapValues(JSONValue.string)),
                "restart_generation": .bool(restartGeneration),
            ]))
    }
}
