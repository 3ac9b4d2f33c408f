import AlibabaCloud
import Foundation
import RootwatchCore
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// The delivery service on real outbox files with scripted receivers. A virtual clock jumps through
/// retry waits, so schedules are asserted exactly without waiting for them.
@Suite struct WebhookOutboxDeliveryTests {
    let fixture: OutboxFixture
    init() throws { fixture = try OutboxFixture() }

    static func status(_ code: Int, headers: [(name: String, value: String)] = [], body: String = "") -> HTTPResponse {
        HTTPResponse(status: code, headers: headers, body: Array(body.utf8))
    }

    /// A receiver answering `codes` in turn (the last one forever), recording each attempt's virtual time.
    static func receiver(_ codes: [HTTPResponse], clock: VirtualClock, times: Locked<[Double]>)
        -> RoutingTransport.Route
    {
        let answered = Locked(0)
        return { _ in
            times.withLock { $0.append(clock.now().timeIntervalSince(OutboxFixture.start)) }
            let index = answered.withLock { count -> Int in
                defer { count += 1 }
                return min(count, codes.count - 1)
            }
            return codes[index]
        }
    }

    @Test func aDeliveredAlertsFileIsRemoved() async throws {
        let clock = VirtualClock(OutboxFixture.start)
        let transport = ScriptedTransport([.respond(Self.status(200))])
        let ops = OutboxFixture.webhook("ops")
        let service = fixture.service([ops], transport: transport, clock: clock)
        let alert = OutboxFixture.alert()
        try await whileRunning(service) {
            try await service.outbox.emit(alert)
            try await eventually("the file to be removed") { try fixture.pending().isEmpty }
        }
        #expect(transport.requests.map(\.body) == [Array(alert.id.utf8)])
        #expect(transport.requests.first?.url == ops.url)
        #expect(try fixture.dead().isEmpty)
        #expect(
            fixture.logs.entries.contains {
                $0.level == .info && $0.message.contains("\(alert.id) delivered to webhook ops")
            })
    }

    @Test func retriesBackOffFromFiveSecondsHonourRetryAfterAndLogEachFailure() async throws {
        let clock = VirtualClock(OutboxFixture.start)
        let times = Locked<[Double]>([])
        let ops = OutboxFixture.webhook("ops")
        let transport = RoutingTransport([
            ops.url: Self.receiver(
                [
                    Self.status(503), Self.status(503), Self.status(429, headers: [("Retry-After", "30")]),
                    Self.status(200),
                ],
                clock: clock, times: times)
        ])
        let service = fixture.service([ops], transport: transport, clock: clock)
        let alert = OutboxFixture.alert()
        try await service.outbox.emit(alert)
        try await whileRunning(service) {
            try await eventually("delivery after three failures") { try fixture.pending().isEmpty }
        }
        // 5 s, then 10 s, then the 30 s the receiver asked for (longer than the 20 s back-off).
        #expect(times.value == [0, 5, 15, 45])
        let warnings = fixture.logs.entries.filter { $0.level == .warning }
        #expect(warnings.count == 3)
        for warning in warnings {
            #expect(warning.fields["ROOTWATCH_ALERT_ID"] == alert.id)
            #expect(warning.fields["ROOTWATCH_WEBHOOK"] == "ops")
            #expect(warning.fields["ROOTWATCH_WEBHOOK_URL"] == "https://hooks.example.com/ops?token=****")
            #expect(!warning.message.contains("SECRET"))
            #expect(warning.message.contains("https://hooks.example.com/ops?token=****"))
        }
        #expect(warnings.last?.fields["ROOTWATCH_REASON"] == "HTTP 429")
    }

    @Test func aFailedAttemptIsPersistedAndARestartResumesTheSchedule() async throws {
        let ops = OutboxFixture.webhook("ops")
        let alert = OutboxFixture.alert()
        // First life: one attempt fails, the drain returns and leaves the file.
        let first = fixture.service(
            [ops], transport: ScriptedTransport([.respond(Self.status(503))]), clock: VirtualClock(OutboxFixture.start))
        try await first.outbox.emit(alert)
        await first.drain()
        let entry = try fixture.entry("\(alert.id).ops.json")
        #expect(entry.attempts == 1)
        #expect(entry.lastError == "HTTP 503")
        #expect(entry.lastAttempt == OutboxFixture.start)
        #expect(entry.nextAttempt == OutboxFixture.start.addingTimeInterval(5))

        // Second life, one second later: nothing is sent before the persisted next attempt, and the
        // back-off continues at 10 s rather than starting over.
        let clock = VirtualClock(OutboxFixture.start.addingTimeInterval(1))
        let times = Locked<[Double]>([])
        let transport = RoutingTransport([
            ops.url: Self.receiver([Self.status(503), Self.status(200)], clock: clock, times: times)
        ])
        let second = fixture.service([ops], transport: transport, clock: clock)
        await second.drain()
        #expect(transport.requests.isEmpty, "not due yet")
        try await whileRunning(second) {
            try await eventually("delivery after the restart") { try fixture.pending().isEmpty }
        }
        #expect(times.value == [5, 15])
    }

    @Test func aPermanentFailureIsDeadLetteredAtOnceWithItsReason() async throws {
        let ops = OutboxFixture.webhook("ops")
        let transport = ScriptedTransport([.respond(Self.status(400, body: "invalid_payload"))])
        let service = fixture.service([ops], transport: transport, clock: VirtualClock(OutboxFixture.start))
        let alert = OutboxFixture.alert()
        try await whileRunning(service) {
            try await service.outbox.emit(alert)
            try await eventually("the dead letter") { try fixture.dead().count == 1 }
        }
        #expect(try fixture.pending().isEmpty)
        #expect(transport.requests.count == 1)
        let dead = try fixture.entry("\(alert.id).ops.json", dead: true)
        #expect(dead.deadReason == "HTTP 400: invalid_payload")
        #expect(dead.deadAt == OutboxFixture.start)
        let error = try #require(fixture.logs.entries.first { $0.level == .error })
        #expect(error.fields["ROOTWATCH_ALERT_ID"] == alert.id)
        #expect(error.fields["ROOTWATCH_WEBHOOK"] == "ops")
        #expect(error.fields["ROOTWATCH_REASON"] == "HTTP 400: invalid_payload")
        #expect(error.message.contains("given up"))
    }

    @Test func aDeliveryStillFailingAtMaxAgeIsDeadLettered() async throws {
        let clock = VirtualClock(OutboxFixture.start)
        let times = Locked<[Double]>([])
        let ops = OutboxFixture.webhook("ops", maxAge: .seconds(60))
        let transport = RoutingTransport([ops.url: Self.receiver([Self.status(503)], clock: clock, times: times)])
        let service = fixture.service([ops], transport: transport, clock: clock)
        let alert = OutboxFixture.alert()
        try await service.outbox.emit(alert)
        try await whileRunning(service) {
            try await eventually("the dead letter") { try fixture.dead().count == 1 }
        }
        // Tried at 0, 5, 15, 35; the next try (75) is past max_age, so it is given up at 60.
        #expect(times.value == [0, 5, 15, 35])
        let dead = try fixture.entry("\(alert.id).ops.json", dead: true)
        #expect(dead.deadReason == "not delivered within max_age 1m; last error: HTTP 503")
        #expect(dead.deadAt == OutboxFixture.start.addingTimeInterval(60))
        #expect(dead.attempts == 4)
        #expect(try fixture.pending().isEmpty)
    }

    @Test func aFailingReceiverIsProbedWithOneAlertAndTheBacklogDrainsOnRecovery() async throws {
        let clock = VirtualClock(OutboxFixture.start)
        let times = Locked<[Double]>([])
        let ops = OutboxFixture.webhook("ops")
        let transport = RoutingTransport([
            ops.url: Self.receiver([Self.status(503), Self.status(503), Self.status(200)], clock: clock, times: times)
        ])
        let service = fixture.service([ops], transport: transport, clock: clock)
        for minute in 1...3 { try await service.outbox.emit(OutboxFixture.alert(minute: minute)) }
        try await whileRunning(service) {
            try await eventually("the backlog to drain") { try fixture.pending().isEmpty }
        }
        // One request per failure while the receiver is down, then everything at once.
        #expect(times.value == [0, 5, 15, 15, 15])
        #expect(Set(transport.requests.map(\.body)).count == 3)
    }

    @Test func aHangingWebhookDelaysNoOtherAndStopsPromptlyKeepingItsFile() async throws {
        let slow = OutboxFixture.webhook("slow")
        let fast = OutboxFixture.webhook("fast")
        let transport = RoutingTransport([
            slow.url: { _ in
                try await Task.sleep(for: .seconds(60))
                return Self.status(200)
            },
            fast.url: { _ in Self.status(200) },
        ])
        let service = fixture.service([slow, fast], transport: transport, clock: SystemWallClock())
        let alerts = (1...3).map { OutboxFixture.alert(minute: $0) }
        var stopped = Date()
        try await whileRunning(service) {
            for alert in alerts { try await service.outbox.emit(alert) }
            try await eventually("fast deliveries", within: 3) {
                try fixture.pending().allSatisfy { $0.hasSuffix(".slow.json") }
            }
            #expect(transport.requests.filter { $0.url == slow.url }.count == 1, "slow is still on its first")
            stopped = Date()
        }
        #expect(Date().timeIntervalSince(stopped) < 2, "cancellation abandons the hanging attempt")
        #expect(try fixture.pending().count == 3)
        for name in try fixture.pending() {
            #expect(try fixture.entry(name).attempts == 0, "a cancelled attempt does not count")
        }
    }

    @Test func reloadStartsNewWebhooksAndKeepsFilesOfRemovedOnesWithAWarning() async throws {
        let old = OutboxFixture.webhook("old")
        let new = OutboxFixture.webhook("new")
        let transport = RoutingTransport([new.url: { _ in Self.status(200) }])
        let service = fixture.service([old], transport: transport, clock: VirtualClock(OutboxFixture.start))
        // "old" has no receiver route: its attempt fails permanently — not what this test is about, so
        // queue its file before it has a worker, through the store, for a webhook named "gone".
        _ = try await fixture.store.add(
            OutboxEntry(alert: OutboxFixture.alert(minute: 9), webhook: "gone", created: OutboxFixture.start))
        try await whileRunning(service) {
            service.update(webhooks: [new])
            try await service.outbox.emit(OutboxFixture.alert(minute: 1))
            try await eventually("delivery through the new webhook") {
                try transport.requests.count == 1 && fixture.pending().count == 1
            }
        }
        #expect(try fixture.pending() == ["\(OutboxFixture.alert(minute: 9).id).gone.json"])
        #expect(
            fixture.logs.entries.contains {
                $0.level == .warning && $0.fields["ROOTWATCH_WEBHOOK"] == "gone"
                    && $0.message.contains("no longer configured")
            })
    }
}
