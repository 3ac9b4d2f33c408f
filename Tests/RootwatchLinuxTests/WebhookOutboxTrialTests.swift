import AlibabaCloud
import Foundation
import RootwatchCore
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// `test-alert`'s bounded delivery: same verdicts as the daemon, short retries inside a budget.
@Suite struct WebhookOutboxTrialTests {
    static let webhook = OutboxFixture.webhook("ops")
    static let renderer = TestRenderer(url: webhook.url)

    static func trial(_ transport: ScriptedTransport, sleeper: RecordingSleeper) -> DeliveryTrial {
        DeliveryTrial(transport: transport, sleeper: sleeper, now: { sleeper.now() }, budget: .seconds(30))
    }

    @Test func retriesQuicklyAndHonoursRetryAfterWithinTheBudget() async {
        let transport = ScriptedTransport([
            .fail(.connect("curl 7: Couldn't connect to server")),
            .respond(HTTPResponse(status: 429, headers: [("Retry-After", "3")])),
            .respond(HTTPResponse(status: 204)),
        ])
        let sleeper = RecordingSleeper()
        let outcome = await Self.trial(transport, sleeper: sleeper).deliver(
            OutboxFixture.alert(), to: Self.webhook, renderer: Self.renderer)
        #expect(outcome == .delivered(attempts: 3))
        #expect(sleeper.durations == [.seconds(1), .seconds(3)])
    }

    @Test func aPermanentAnswerFailsAtOnceWithTheReason() async {
        let transport = ScriptedTransport([.respond(HTTPResponse(status: 400, body: Array("no_text".utf8)))])
        let sleeper = RecordingSleeper()
        let outcome = await Self.trial(transport, sleeper: sleeper).deliver(
            OutboxFixture.alert(), to: Self.webhook, renderer: Self.renderer)
        #expect(outcome == .failed(reason: "HTTP 400: no_text"))
        #expect(sleeper.durations.isEmpty)
    }

    @Test func aWaitBeyondTheBudgetEndsTheTrialWithTheLastReason() async {
        let transport = ScriptedTransport([.respond(HTTPResponse(status: 429, headers: [("Retry-After", "600")]))])
        let sleeper = RecordingSleeper()
        let outcome = await Self.trial(transport, sleeper: sleeper).deliver(
            OutboxFixture.alert(), to: Self.webhook, renderer: Self.renderer)
        #expect(outcome == .failed(reason: "HTTP 429 (after 1 attempt)"))
        #expect(transport.requests.count == 1)
    }

    @Test func aReceiverThatStaysDownIsTriedUntilTheBudgetRunsOut() async {
        let transport = ScriptedTransport(Array(repeating: .respond(HTTPResponse(status: 503)), count: 10))
        let sleeper = RecordingSleeper()
        let outcome = await Self.trial(transport, sleeper: sleeper).deliver(
            OutboxFixture.alert(), to: Self.webhook, renderer: Self.renderer)
        // 1 + 2 + 4 + 8 = 15 s of waits; the next 16 s would pass 30 s.
        #expect(sleeper.durations == [1, 2, 4, 8].map { Duration.seconds($0) })
        #expect(outcome == .failed(reason: "HTTP 503 (after 5 attempts)"))
    }
}
