import AlibabaCloud
import Foundation
import RootwatchLinux
import RootwatchTestSupport

/// `Tests/Support/testserver.py` running on loopback, started for one test and killed after it.
///
/// The interpreter comes from `ROOTWATCH_PYTHON` (the project venv in CI), else `python3` on PATH.
final class TestServer: Sendable {
    let process: ChildProcess
    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`, without a trailing slash.
    let baseURL: String

    private init(process: ChildProcess, baseURL: String) {
        self.process = process
        self.baseURL = baseURL
    }

    /// Starts the server; with `certificates` it serves HTTPS with their server certificate.
    static func start(tls certificates: TestCertificates? = nil) async throws -> TestServer {
        _ = loopbackBypassesProxy
        let python = ProcessInfo.processInfo.environment["ROOTWATCH_PYTHON"] ?? "python3"
        var command = [python, scriptPath]
        if let certificates {
            command += ["--tls-cert", certificates.certFile, "--tls-key", certificates.keyFile]
        }
        let (process, url) = try await ChildProcess.startServer(command)
        return TestServer(process: process, baseURL: url)
    }

    /// The full URL of `path` (which starts with a slash) on this server.
    func url(_ path: String) -> String {
        baseURL + path
    }

    /// The server's counters, fetched through `transport`.
    func stats(via transport: any HTTPTransport) async throws -> [String: Int] {
        let response = try await transport.send(HTTPRequest(method: "GET", url: url("/stats")))
        let object = try JSONSerialization.jsonObject(with: Data(response.body))
        return (object as? [String: Int]) ?? [:]
    }

    /// Polls `/stats` until `condition` holds, failing after `timeout`.
    func waitForStats(
        via transport: any HTTPTransport,
        timeout: Duration = .seconds(10),
        until condition: ([String: Int]) -> Bool
    ) async throws -> [String: Int] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let stats = try await stats(via: transport)
            if condition(stats) {
                return stats
            }
            guard ContinuousClock.now < deadline else {
                throw ChildProcess.Failure.timedOut(
                    command: process.command, waitingFor: "stats condition", output: "last stats: \(stats)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() {
        process.kill()
    }

    private static let scriptPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/testserver.py").path

    /// Loopback must never go through a proxy the host environment configures. Set once, before the
    /// first server starts, and only when a proxy variable is present (`setenv` is process-wide).
    private static let loopbackBypassesProxy: Bool = {
        let environment = ProcessInfo.processInfo.environment
        let proxyNames = ["http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"]
        guard proxyNames.contains(where: { environment[$0] != nil }) else { return false }
        setenv("no_proxy", "127.0.0.1,localhost", 1)
        return true
    }()
}

/// What `/echo` reports about the request it received.
struct EchoedRequest: Decodable {
    let method: String
    let path: String
    let headers: [[String]]
    let bodyB64: String
    let clientPort: Int

    enum CodingKeys: String, CodingKey {
        case method, path, headers
        case bodyB64 = "body_b64"
        case clientPort = "client_port"
    }

    init(_ response: HTTPResponse) throws {
        self = try JSONDecoder().decode(EchoedRequest.self, from: Data(response.body))
    }

    /// Header names and values exactly as they arrived, in order.
    var headerPairs: [String] { headers.map { "\($0[0]): \($0[1])" } }

    var body: [UInt8] { Array(Data(base64Encoded: bodyB64) ?? Data()) }
}
