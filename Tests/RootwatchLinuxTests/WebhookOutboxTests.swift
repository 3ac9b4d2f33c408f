import AlibabaCloud
import Foundation
import RootwatchCore
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// The outbox as an `AlertSink`, on real files: one durable file per (alert, webhook) that accepts it,
/// recorded before `emit` returns, idempotent, and free of URLs and secrets.
@Suite struct WebhookOutboxTests {
    let fixture: OutboxFixture
    init() throws { fixture = try OutboxFixture() }

    @Test func emitWritesOneFilePerMatchingWebhookBeforeReturning() async throws {
        var prodOnly = OutboxFixture.webhook("prod-only")
        prodOnly.accounts = ["prod"]
        var keysOnly = OutboxFixture.webhook("keys")
        keysOnly.kinds = [.rootAccessKeyUsed]
        let woken = Locked<[String]>([])
        let outbox = WebhookOutbox(
            store: fixture.store, webhooks: [OutboxFixture.webhook("ops"), prodOnly, keysOnly],
            now: { OutboxFixture.start }, added: { name in woken.withLock { $0.append(name) } })
        let alert = OutboxFixture.alert()

        try await outbox.emit(alert)

        // The file is there when emit returns: ops and prod-only accept a prod logon, keys does not.
        #expect(try fixture.pending() == ["\(alert.id).ops.json", "\(alert.id).prod-only.json"])
        #expect(woken.value == ["ops", "prod-only"])
        let entry = try fixture.entry("\(alert.id).ops.json")
        #expect(entry.alert == alert)
        #expect(entry.webhook == "ops")
        #expect(entry.created == OutboxFixture.start)
        #expect(entry.nextAttempt == OutboxFixture.start)
        #expect(entry.attempts == 0)
        #expect(entry.lastError == nil)
        let attributes = try FileManager.default.attributesOfItem(
            atPath: "\(fixture.store.directory)/\(entry.fileName)")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func filesNeverHoldTheURLOrTheSecret() async throws {
        let webhook = OutboxFixture.webhook("ops")
        let outbox = WebhookOutbox(store: fixture.store, webhooks: [webhook], now: { OutboxFixture.start })
        try await outbox.emit(OutboxFixture.alert())
        let name = try #require(try fixture.pending().first)
        let text = try String(contentsOfFile: "\(fixture.store.directory)/\(name)", encoding: .utf8)
        #expect(!text.contains("hooks.example.com"))
        #expect(!text.contains("SECRET"))
        #expect(!text.contains("whsec_"))
        #expect(text.contains("\"webhook\" : \"ops\""))
        #expect(text.contains("\"next_attempt\" : \"2026-12-04T10:00:00Z\""))
    }

    @Test func recordingTheSameAlertAgainIsANoOp() async throws {
        let woken = Locked(0)
        let times = Locked(OutboxFixture.start)
        let outbox = WebhookOutbox(
            store: fixture.store, webhooks: [OutboxFixture.webhook("ops")], now: { times.value },
            added: { _ in woken.withLock { $0 += 1 } })
        let alert = OutboxFixture.alert()
        try await outbox.emit(alert)
        times.withLock { $0 = $0.addingTimeInterval(600) }
        try await outbox.emit(alert)

        #expect(try fixture.pending().count == 1)
        #expect(woken.value == 1, "a repeat wakes nobody")
        #expect(try fixture.entry("\(alert.id).ops.json").created == OutboxFixture.start, "the first file is kept")
    }

    @Test func aDeadLetterAlsoCountsAsRecorded() async throws {
        let outbox = WebhookOutbox(store: fixture.store, webhooks: [OutboxFixture.webhook("ops")])
        let alert = OutboxFixture.alert()
        try await outbox.emit(alert)
        var entry = try fixture.entry("\(alert.id).ops.json")
        entry.deadReason = "HTTP 400"
        try await fixture.store.deadLetter(entry)
        #expect(try fixture.pending().isEmpty)

        try await outbox.emit(alert)
        #expect(try fixture.pending().isEmpty, "a given-up delivery is not queued again by a re-raised alert")
        #expect(try fixture.dead() == ["\(alert.id).ops.json"])
        #expect(try fixture.entry("\(alert.id).ops.json", dead: true).deadReason == "HTTP 400")
    }

    @Test func updatedWebhooksApplyToLaterAlerts() async throws {
        let outbox = WebhookOutbox(store: fixture.store, webhooks: [OutboxFixture.webhook("old")])
        try await outbox.emit(OutboxFixture.alert(minute: 1))
        outbox.update(webhooks: [OutboxFixture.webhook("new")])
        try await outbox.emit(OutboxFixture.alert(minute: 2))
        #expect(
            Set(try fixture.pending()) == [
                "\(OutboxFixture.alert(minute: 1).id).old.json", "\(OutboxFixture.alert(minute: 2).id).new.json",
            ])
    }

    @Test func failingDiskMakesEmitThrowSoTheStateIsNotCommitted() async throws {
        // A file where the outbox directory should be: mkdir fails, emit must throw (the monitor then
        // keeps the alert unrecorded and raises it again).
        #expect(FileManager.default.createFile(atPath: fixture.directory.file("outbox"), contents: Data("x".utf8)))
        let outbox = WebhookOutbox(store: fixture.store, webhooks: [OutboxFixture.webhook("ops")])
        await #expect(throws: (any Error).self) { try await outbox.emit(OutboxFixture.alert()) }
    }

    @Test func fileNamesRoundTripAndStraysAreIgnored() {
        let id = OutboxFixture.alert().id
        #expect(OutboxEntry.webhook(inFileName: OutboxEntry.fileName(alertID: id, webhook: "a.b-c")) == "a.b-c")
        #expect(OutboxEntry.webhook(inFileName: ".\(id).ops.json.tmp-1-2") == nil)
        #expect(OutboxEntry.webhook(inFileName: "\(id).json") == nil)
        #expect(OutboxEntry.webhook(inFileName: "notes.txt") == nil)
        #expect(OutboxEntry.webhook(inFileName: "dead") == nil)
    }
}
