import FoundationEssentials

/// The root activity and posture signals of one credential report: the `<root>` row, read by column name.
///
/// Optional values distinguish "the column is absent" (nil: unknown, raises nothing) from "the column says
/// none" (a sentinel such as `-` or `N/A`), so detection never mistakes a report format change for a change
/// of the account.
package struct RootRow: Sendable, Equatable {
    /// `user_last_logon`; nil when absent, a sentinel, or unreadable.
    package var lastConsoleLogon: Date?
    /// `mfa_active` is `TRUE`; any other value (`FALSE`, `N/A`, `LOGIN_DISABLED`, empty) is false, and nil
    /// means the column is absent.
    package var mfaActive: Bool?
    /// One entry per key slot that has at least one column in the report, in `KeySlot.names` order.
    package var keys: [KeySlot]

    package init(lastConsoleLogon: Date? = nil, mfaActive: Bool? = nil, keys: [KeySlot] = []) {
        self.lastConsoleLogon = lastConsoleLogon
        self.mfaActive = mfaActive
        self.keys = keys
    }
}

/// One root AccessKey slot, named by its column prefix (`access_key_1` … `additional_access_key_3`).
///
/// A slot is not a key: the same slot may hold different keys over time, which is why state and alert ids
/// are per slot and per activity time.
package struct KeySlot: Sendable, Equatable {
    /// Every slot the credential report can hold, in report order.
    package static let names = [
        "access_key_1", "access_key_2",
        "additional_access_key_1", "additional_access_key_2", "additional_access_key_3",
    ]

    package var slot: String
    /// `<slot>_exist` is `TRUE`; nil when the column is absent.
    package var exists: Bool?
    /// `<slot>_active` is `TRUE`; nil when the column is absent.
    package var active: Bool?
    /// `<slot>_last_used`; nil when absent, a sentinel, or unreadable.
    package var lastUsed: Date?

    package init(slot: String, exists: Bool? = nil, active: Bool? = nil, lastUsed: Date? = nil) {
        self.slot = slot
        self.exists = exists
        self.active = active
        self.lastUsed = lastUsed
    }
}
