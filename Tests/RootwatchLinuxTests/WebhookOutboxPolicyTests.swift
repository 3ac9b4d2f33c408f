import AlibabaCloud
import Foundation
import RootwatchCore
import Testing

/// The delivery rules as values: the back-off schedule, Retry-After, permanent failures and max_age.
@Suite struct WebhookOutboxPolicyTests {
    @Test func backoffStartsAtFiveSecondsDoublesAndCapsAtTwoMinutes() {
        let backoff = DeliveryBackoff()
        // random 0.5 is the middle of the jitter band: the bare schedule.
        let schedule = (1...8).map { backoff.delay(failures: $0, random: 0.5) }
        #expect(schedule == [5, 10, 20, 40, 80, 120, 120, 120].map { Duration.seconds($0) })
    }

    @Test func jitterSpreadsTwentyPercentEachWayButNeverPastTheCap() {
        let backoff = DeliveryBackoff()
        #expect(backoff.delay(failures: 1, random: 0) == .seconds(4))
        #expect(backoff.delay(failures: 1, random: 0.999_999) == .milliseconds(6000))
        #expect(backoff.delay(failures: 6, random: 0.999_999) == .seconds(120))
        #expect(backoff.delay(failures: 6, random: 0) == .seconds(96))
        #expect(backoff.delay(failures: 1000, random: 0.5) == .seconds(120), "no overflow after many failures")
    }

    @Test func aRequestedWaitWinsWhenLongerAndIsBounded() {
        let backoff = DeliveryBackoff()
        #expect(backoff.delay(failures: 1, random: 0.5, requested: .seconds(30)) == .seconds(30))
        #expect(
            backoff.delay(failures: 5, random: 0.5, requested: .seconds(2)) == .seconds(80),
            "shorter asks do not shorten")
        #expect(
            backoff.delay(failures: 1, random: 0.5, requested: .seconds(600)) == .seconds(600),
            "DingTalk's 10-minute penalty")
        #expect(backoff.delay(failures: 1, random: 0.5, requested: .seconds(86_400 * 30)) == .seconds(3600))
    }

    static let created = Date(timeIntervalSince1970: 1_796_378_400)
    static func entry(attempts: Int = 0) -> OutboxEntry {
        var entry = OutboxEntry(
            alert: Alert(
                kind: .rootConsoleLogon, account: "prod", accountID: nil, activityTime: created, detectedAt: created,
                window: "7d", source: .credentialReport),
            webhook: "ops", created: created)
        entry.attempts = attempts
        return entry
    }

    @Test(arguments: [
        // (verdict, seconds after creation, webhook failures, expected)
        (DeliveryVerdict.delivered, 0.0, 1, "remove"),
        (.permanent(reason: "HTTP 400: bad"), 0, 0, "dead: HTTP 400: bad"),
        (.retry(reason: "HTTP 503", after: nil), 0, 1, "retry at 5: HTTP 503"),
        (.retry(reason: "HTTP 503", after: nil), 30, 3, "retry at 20: HTTP 503"),
        (.retry(reason: "HTTP 429", after: .seconds(60)), 0, 1, "retry at 60: HTTP 429"),
        (
            .retry(reason: "HTTP 503", after: nil), 3600, 2,
            "dead: not delivered within max_age 1h; last error: HTTP 503"
        ),
    ])
    func stepAfterAnAttempt(verdict: DeliveryVerdict, at seconds: Double, failures: Int, expected: String) {
        let policy = DeliveryPolicy(maxAge: .seconds(3600))
        let now = Self.created.addingTimeInterval(seconds)
        let step = policy.step(after: verdict, for: Self.entry(), failures: failures, now: now, random: 0.5)
        switch step {
        case .remove:
            #expect(expected == "remove")
        case .deadLetter(let dead):
            #expect(expected == "dead: \(dead.deadReason ?? "")")
            #expect(dead.deadAt == now)
            #expect(dead.attempts == 1)
        case .retry(let next):
            #expect(expected == "retry at \(Int(next.nextAttempt.timeIntervalSince(now))): \(next.lastError ?? "")")
            #expect(next.attempts == 1)
            #expect(next.lastAttempt == now)
        }
    }

    @Test func waitingEntriesExpireAtMaxAgeOnlyOnceTried() {
        let policy = DeliveryPolicy(maxAge: .seconds(60))
        let late = Self.created.addingTimeInterval(61)
        // Never tried and the webhook is healthy (a daemon that was down for long): still delivered.
        #expect(policy.expired(Self.entry(), now: late, webhookError: nil) == nil)
        // Never tried but the webhook is failing: given up with the webhook's error.
        #expect(
            policy.expired(Self.entry(), now: late, webhookError: "HTTP 503")?.deadReason
                == "not delivered within max_age 1m; last error: HTTP 503")
        var tried = Self.entry(attempts: 2)
        tried.lastError = "connection failed: refused"
        #expect(policy.expired(tried, now: Self.created.addingTimeInterval(59), webhookError: nil) == nil)
        #expect(
            policy.expired(tried, now: late, webhookError: nil)?.deadReason
                == "not delivered within max_age 1m; last error: connection failed: refused")
    }

    @Test func entriesSurviveEncodingAndDecoding() throws {
        var entry = Self.entry(attempts: 3)
        entry.lastError = "HTTP 503"
        entry.nextAttempt = Self.created.addingTimeInterval(40)
        entry.lastAttempt = Self.created.addingTimeInterval(20)
        #expect(try OutboxEntry.decode(entry.encoded()) == entry)
    }
}
