import AlibabaCloud
import FoundationEssentials

extension SignInEvent {
    /// Why an event that looks like a root console sign-in cannot be read; logged per account as an error
    /// and skipped, never a failed poll (product.md §1: a bad record is a diagnostic, not a stopped scan).
    package struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        /// `eventId` (or `requestId`) when the event has one, for the operator to find it in ActionTrail.
        package var eventID: String?
        package var reason: String

        package init(eventID: String?, reason: String) {
            self.eventID = eventID
            self.reason = reason
        }

        package var description: String {
            "ActionTrail event \(eventID.map { "\"\($0)\"" } ?? "without an eventId") \(reason)"
        }
    }

    /// The root `ConsoleSignin` event in `event`, nil for any other event, or `Malformed` when a root
    /// sign-in cannot be read.
    ///
    /// `LookupEvents` cannot filter on the identity type, so every `ConsoleSignin` comes back (RAM users,
    /// assumed roles, SSO users) and only `userIdentity.type == root-account` is kept (alibaba-api.md §6).
    /// Fields are read leniently, as the vendor's own examples vary: `isMFAChecked` is a string in one
    /// document and a boolean in another (RAM-user events call it `mfaChecked`), and `eventTime` may carry
    /// fractional seconds or a `+00:00` offset. A failed sign-in carries `errorCode` or `errorMessage`.
    package static func parse(_ event: JSONValue) throws(Malformed) -> SignInEvent? {
        guard event.objectValue != nil else {
            throw Malformed(eventID: nil, reason: "is not a JSON object")
        }
        let eventID = nonEmpty(event["eventId"]) ?? nonEmpty(event["requestId"])
        guard let name = nonEmpty(event["eventName"]) ?? nonEmpty(event["eventType"]) else {
            throw Malformed(eventID: eventID, reason: "has no eventName")
        }
        guard name == "ConsoleSignin" else { return nil }
        guard let identity = event["userIdentity"], identity.objectValue != nil else {
            throw Malformed(eventID: eventID, reason: "has no userIdentity")
        }
        guard let type = nonEmpty(identity["type"]) else {
            throw Malformed(eventID: eventID, reason: "has no userIdentity.type")
        }
        guard type == "root-account" else { return nil }
        guard let timeText = event["eventTime"]?.stringValue else {
            throw Malformed(eventID: eventID, reason: "has no eventTime")
        }
        guard let time = Timestamp.parse(timeText) else {
            throw Malformed(eventID: eventID, reason: "has an unreadable eventTime \"\(timeText)\"")
        }
        guard let eventID else {
            throw Malformed(eventID: nil, reason: "at \(timeText) has neither eventId nor requestId")
        }
        let extra = event["additionalEventData"]
        let errorCode = nonEmpty(event["errorCode"])
        let errorMessage = nonEmpty(event["errorMessage"])
        return SignInEvent(
            eventID: eventID, time: time, sourceIP: nonEmpty(event["sourceIpAddress"]),
            userAgent: nonEmpty(event["userAgent"]),
            mfaChecked: (extra?["isMFAChecked"] ?? extra?["mfaChecked"])?.boolValue,
            region: nonEmpty(event["acsRegion"]), loginAccount: nonEmpty(extra?["loginAccount"]),
            failed: errorCode != nil || errorMessage != nil, errorCode: errorCode ?? errorMessage)
    }

    /// A string member that is present and not empty.
    private static func nonEmpty(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text
    }
}
