import AlibabaCloud
import Foundation
import RootwatchCore
import RootwatchLinux
import RootwatchTestSupport
import Synchronization
import Testing

/// A renderer with the shape of the real ones and none of their formats: the body is the alert id,
/// 2xx is delivered, 429/503 retry (with `Retry-After` seconds), 5xx retry, other statuses permanent.
struct TestRenderer: WebhookRenderer {
    let url: String

    func request(for alert: Alert, attemptTime: Date) throws(WebhookRenderError) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: url, headers: [("x-attempt-time", Timestamp.format(attemptTime))],
            body: Array(alert.id.utf8))
    }

    func verdict(for response: HTTPResponse, receivedAt: Date?) -> DeliveryVerdict {
        switch response.status {
        case 200..<300: return .delivered
        case 429, 503:
            let after = response.header("retry-after").flatMap(Int64.init).map { Duration.seconds($0) }
            return .retry(reason: "HTTP \(response.status)", after: after)
        case 500..<600: return .retry(reason: "HTTP \(response.status)", after: nil)
        default: return .permanent(reason: "HTTP \(response.status): \(response.bodyText)")
        }
    }
}

/// A transport that answers per URL with a closure that may suspend (a receiver that hangs), and
/// records every request.
final class RoutingTransport: HTTPTransport {
    typealias Route = @Sendable (HTTPRequest) async throws -> HTTPResponse
    private let routes: [String: Route]
    private let sent = Mutex<[HTTPRequest]>([])

    init(_ routes: [String: Route]) { self.routes = routes }

    var requests: [HTTPRequest] { sent.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        sent.withLock { $0.append(request) }
        guard let route = routes[request.url] else { throw TransportError.invalidRequest("no route") }
        return try await route(request)
    }
}

/// Outbox fixtures: a state directory, webhooks, alerts, and a delivery service over a chosen
/// transport and clock.
struct OutboxFixture {
    let directory: TemporaryDirectory
    let store: WebhookOutboxStore
    let logs = InMemoryLogHandler()

    init() throws {
        directory = try TemporaryDirectory(prefix: "rootwatch-outbox")
        store = WebhookOutboxStore(stateDirectory: directory.path)
    }

    static let start = Date(timeIntervalSince1970: 1_796_378_400)  // 2026-12-04T10:00:00Z

    static func webhook(_ name: String, maxAge: Duration = .seconds(86_400)) -> WebhookConfiguration {
        var webhook = WebhookConfiguration(
            name: name, url: "https://hooks.example.com/\(name)?token=SECRET", format: .standard)
        webhook.maxAge = maxAge
        webhook.secret = Secret("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
        return webhook
    }

    static func alert(_ account: String = "prod", minute: Int = 0, kind: FindingKind = .rootConsoleLogon) -> Alert {
        Alert(
            kind: kind, account: account, accountID: "1234567890123456",
            activityTime: start.addingTimeInterval(Double(minute * 60)), detectedAt: start, window: "7d",
            source: .credentialReport)
    }

    func service(
        _ webhooks: [WebhookConfiguration], transport: any HTTPTransport, clock: any WallClock,
        random: Double = 0.5
    ) -> DeliveryService {
        let environment = DeliveryEnvironment(
            store: store, transport: transport, makeRenderer: { TestRenderer(url: $0.url) }, clock: clock,
            random: { random }, logger: logs.logger, rescanInterval: nil)
        return DeliveryService(webhooks: webhooks, environment: environment, now: { clock.now() })
    }

    func pending() throws -> [String] { try names(in: store.directory) }
    func dead() throws -> [String] { try names(in: store.deadDirectory) }

    private func names(in directory: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
    }

    func entry(_ name: String, dead: Bool = false) throws -> OutboxEntry {
        let directory = dead ? store.deadDirectory : store.directory
        return try OutboxEntry.decode(Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
    }
}

/// Polls `condition` every 10 ms until it holds; records an issue after `seconds`.
func eventually(
    _ what: String, within seconds: Double = 5, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () throws -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    if try condition() { return }
    Issue.record("timed out after \(seconds) s waiting for \(what)", sourceLocation: sourceLocation)
}

/// Runs `service` as a child task for the duration of `body`, then cancels it and waits for it to end.
func whileRunning(_ service: DeliveryService, _ body: () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await service.run() }
        defer { group.cancelAll() }
        try await body()
        group.cancelAll()
        try await group.waitForAll()
    }
}
