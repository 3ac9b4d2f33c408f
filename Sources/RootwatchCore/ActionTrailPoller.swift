import AlibabaCloud
import FoundationEssentials

/// Reads one account's root console sign-ins from ActionTrail `LookupEvents` since the last checked
/// time: the event half of product.md §1 step 6.
///
/// Like `AccountScanner`, fetching is the slow, networked half and runs without holding anything; what
/// the events mean is decided afterwards (`ActionTrailObservation.decide`) against the account's latest
/// state. Each poll asks for `[cursor - overlap, now]`, because ActionTrail delivers events minutes late,
/// and follows `NextToken` with the same other parameters, as the API requires. Calls are paced to at
/// most two a second per account (the documented limit); retries of throttled calls are the RPC client's.
package struct ActionTrailPoller: Sendable {
    /// What one account's polling needs to know.
    package struct Settings: Sendable, Equatable {
        package var name: String
        package var window: Duration
        /// The window as configured, e.g. `7d`, carried in alerts.
        package var windowText: String
        /// Each poll re-reads this much before the last checked time.
        package var overlap: Duration

        package init(name: String, window: Duration, windowText: String, overlap: Duration) {
            self.name = name
            self.window = window
            self.windowText = windowText
            self.overlap = overlap
        }
    }

    /// ActionTrail keeps 90 days of events; asking for more is pointless.
    package static let maxLookback: Duration = .seconds(90 * 86_400)
    /// `MaxResults` of every page: the API's largest.
    package static let pageSize = 50
    /// Two calls a second per account at most.
    package static let minimumCallSpacing: Duration = .milliseconds(500)
    /// A poll reads at most this many pages (20,000 sign-ins); more is a failure, not an endless loop.
    package static let maxPages = 400

    package var settings: Settings
    package var client: ActionTrailClient
    package var sts: STSClient
    /// Paces page calls; the same sleeper as the RPC client's retries.
    package var sleeper: any Sleeper
    package var now: @Sendable () -> Date

    package init(
        settings: Settings, client: ActionTrailClient, sts: STSClient, sleeper: any Sleeper,
        now: @escaping @Sendable () -> Date
    ) {
        self.settings = settings
        self.client = client
        self.sts = sts
        self.sleeper = sleeper
        self.now = now
    }

    /// The time range a poll at `now` asks for: from the cursor (or, on the first poll, `now - window`
    /// capped at ActionTrail's 90 days) minus the overlap, never further back than 90 days, to `now`.
    package static func range(cursor: ActionTrailCursor?, settings: Settings, now: Date) -> ClosedRange<Date> {
        let end = now.wholeSeconds
        let oldest = end.addingTimeInterval(-maxLookback.timeInterval)
        let lookback = min(settings.window, maxLookback).timeInterval
        let from = cursor?.checkedUntil ?? end.addingTimeInterval(-lookback)
        let start = max(oldest, min(end, from.wholeSeconds.addingTimeInterval(-settings.overlap.timeInterval)))
        return start...end
    }

    /// Reads every page of the range due after `cursor`. Returns nil when the task was cancelled
    /// (shutdown): a cancelled poll changes nothing.
    package func fetch(cursor: ActionTrailCursor?, knownAccountID: String?) async -> ActionTrailObservation? {
        var accountID = knownAccountID
        let range = Self.range(cursor: cursor, settings: settings, now: now())
        do {
            if accountID == nil {
                accountID = try await sts.getCallerIdentity().accountID
            }
            var read = ActionTrailRead(range: range)
            var token: String?
            var lastCall: Date?
            repeat {
                guard read.pages < Self.maxPages else { throw PollError.tooManyPages(Self.maxPages) }
                if let lastCall { try await pace(since: lastCall) }
                lastCall = now()
                let page = try await client.lookupEvents(
                    startTime: range.lowerBound, endTime: range.upperBound, nextToken: token,
                    maxResults: Self.pageSize)
                read.pages += 1
                for event in page.events {
                    do {
                        if let signIn = try SignInEvent.parse(event) { read.events.append(signIn) }
                    } catch {
                        read.malformed.append(error)
                    }
                }
                if let next = page.nextToken, next == token { throw PollError.repeatedToken }
                token = page.nextToken
            } while token != nil
            return ActionTrailObservation(settings: settings, accountID: accountID, result: .read(read))
        } catch {
            if Task.isCancelled || error is CancellationError { return nil }
            if let cloud = error as? AlibabaCloudError, case .network(.cancelled) = cloud.kind { return nil }
            let message = Self.describe(error, account: settings.name)
            return ActionTrailObservation(
                settings: settings, accountID: accountID, result: .failure(message, range: range))
        }
    }

    /// Sleeps what is left of `minimumCallSpacing` since the call that started at `lastCall`, in whole
    /// milliseconds (a microsecond of clock noise does not add a millisecond).
    private func pace(since lastCall: Date) async throws {
        let remaining = Self.minimumCallSpacing.timeInterval - now().timeIntervalSince(lastCall)
        let milliseconds = Int64((remaining * 1000 - 0.001).rounded(.up))
        if milliseconds > 0 { try await sleeper.sleep(for: .milliseconds(milliseconds)) }
    }

    /// One line naming the account and the cause, with a hint where the fix is the operator's.
    static func describe(_ error: any Error, account: String) -> String {
        guard let cloud = error as? AlibabaCloudError else { return "account \(account): ActionTrail: \(error)" }
        switch cloud.kind {
        case .forbidden where cloud.code == "ActionTrailNotEnabled":
            return cloud.description + "; ActionTrail is not enabled in the account"
        case .forbidden:
            return cloud.description + "; the identity needs permission for actiontrail:LookupEvents"
        default:
            return cloud.description
        }
    }
}

/// Polling problems that are not cloud errors.
package enum PollError: Error, Equatable, CustomStringConvertible {
    case tooManyPages(Int)
    case repeatedToken

    package var description: String {
        switch self {
        case .tooManyPages(let pages): "LookupEvents returned more than \(pages) pages of ConsoleSignin events"
        case .repeatedToken: "LookupEvents returned the same NextToken twice"
        }
    }
}

/// What one poll read: the range asked for, the root sign-ins in it, and the events that could not be read.
package struct ActionTrailRead: Sendable, Equatable {
    package var range: ClosedRange<Date>
    package var pages = 0
    /// Root `ConsoleSignin` events, successful and failed, in the order the API returned them.
    package var events: [SignInEvent] = []
    package var malformed: [SignInEvent.Malformed] = []

    package init(
        range: ClosedRange<Date>, pages: Int = 0, events: [SignInEvent] = [], malformed: [SignInEvent.Malformed] = []
    ) {
        self.range = range
        self.pages = pages
        self.events = events
        self.malformed = malformed
    }
}
