import FoundationEssentials

/// What to do with an outbox entry after an attempt, or while it waits: the delivery rules of
/// product.md §4 as a pure function of the entry, the verdict and the time, so they are tested as a
/// table without files, clocks or receivers.
package struct DeliveryPolicy: Sendable, Equatable {
    package var backoff: DeliveryBackoff
    /// How long after its creation a failing delivery is given up (`max_age`).
    package var maxAge: Duration

    package init(backoff: DeliveryBackoff = DeliveryBackoff(), maxAge: Duration) {
        self.backoff = backoff
        self.maxAge = maxAge
    }

    /// What follows an attempt.
    package enum Step: Sendable, Equatable {
        /// The platform confirmed it: remove the file.
        case remove
        /// Give up: move the file, now carrying its reason, to `outbox/dead/`.
        case deadLetter(OutboxEntry)
        /// Rewrite the file with the new schedule and leave the webhook alone until `entry.nextAttempt`.
        case retry(OutboxEntry)
    }

    /// The step after attempt number `entry.attempts + 1` ended with `verdict` at `now`.
    /// `failures` counts this webhook's consecutive failures including this one (the back-off grows
    /// per receiver, not per alert, so a backlog does not probe a dead receiver once per alert).
    package func step(
        after verdict: DeliveryVerdict, for entry: OutboxEntry, failures: Int, now: Date, random: Double
    ) -> Step {
        var next = entry
        next.lastAttempt = now
        switch verdict {
        case .delivered:
            return .remove
        case .permanent(let reason):
            next.attempts += 1
            next.lastError = reason
            return .deadLetter(Self.dead(next, reason: reason, now: now))
        case .retry(let reason, let after):
            next.attempts += 1
            next.lastError = reason
            if now >= expiry(of: entry) {
                return .deadLetter(Self.dead(next, reason: expiryReason(lastError: reason), now: now))
            }
            let wait = backoff.delay(failures: failures, random: random, requested: after)
            next.nextAttempt = now.addingTimeInterval(
                Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            return .retry(next)
        }
    }

    /// When `entry` is given up if it has not been delivered by then.
    package func expiry(of entry: OutboxEntry) -> Date {
        entry.created.addingTimeInterval(Double(maxAge.components.seconds))
    }

    /// The dead-lettered form of a waiting entry whose `max_age` has passed, or nil while it may still
    /// be tried. An entry that was never tried expires only when its webhook is failing (`webhookError`),
    /// so a daemon that was stopped for longer than `max_age` still delivers what it queued.
    package func expired(_ entry: OutboxEntry, now: Date, webhookError: String?) -> OutboxEntry? {
        guard now >= expiry(of: entry) else { return nil }
        guard let error = entry.lastError ?? webhookError, entry.attempts > 0 || webhookError != nil else {
            return nil
        }
        return Self.dead(entry, reason: expiryReason(lastError: error), now: now)
    }

    private func expiryReason(lastError: String) -> String {
        "not delivered within max_age \(DurationText.format(maxAge)); last error: \(lastError)"
    }

    private static func dead(_ entry: OutboxEntry, reason: String, now: Date) -> OutboxEntry {
        var dead = entry
        dead.deadReason = reason
        dead.deadAt = now
        return dead
    }
}
