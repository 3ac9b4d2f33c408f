import FoundationEssentials

/// One root `ConsoleSignin` event from ActionTrail `LookupEvents`, reduced to what alerts carry.
///
/// The ActionTrail client keeps only events whose `userIdentity.type` is `root-account`; detection trusts
/// that and decides only on time, identity and outcome.
package struct SignInEvent: Sendable, Equatable {
    /// `eventId`.
    package var eventID: String
    /// `eventTime`.
    package var time: Date
    /// `sourceIpAddress`.
    package var sourceIP: String?
    package var userAgent: String?
    /// `additionalEventData.isMFAChecked` (or `mfaChecked`).
    package var mfaChecked: Bool?
    /// `acsRegion`.
    package var region: String?
    /// `additionalEventData.loginAccount`.
    package var loginAccount: String?
    /// The event carries an `errorCode` or `errorMessage`: a failed sign-in, which is not usage.
    package var failed: Bool
    /// `errorCode` (or `errorMessage`) of a failed sign-in, for the notice that logs it.
    package var errorCode: String?

    package init(
        eventID: String,
        time: Date,
        sourceIP: String? = nil,
        userAgent: String? = nil,
        mfaChecked: Bool? = nil,
        region: String? = nil,
        loginAccount: String? = nil,
        failed: Bool = false,
        errorCode: String? = nil
    ) {
        self.eventID = eventID
        self.time = time
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.mfaChecked = mfaChecked
        self.region = region
        self.loginAccount = loginAccount
        self.failed = failed
        self.errorCode = errorCode
    }
}
