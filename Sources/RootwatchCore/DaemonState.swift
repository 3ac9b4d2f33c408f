/// The whole of `state.json`: a format version and the state of every account by configured name.
///
/// A file from a newer daemon (higher version) fails to decode rather than being half-understood; the
/// state store then moves it aside as product.md §5 describes.
package struct DaemonState: Sendable, Equatable, Codable {
    /// The version this build writes and reads.
    package static let currentVersion = 1

    package var version: Int
    package var accounts: [String: AccountState]

    package init(version: Int = DaemonState.currentVersion, accounts: [String: AccountState] = [:]) {
        self.version = version
        self.accounts = accounts
    }

    private enum CodingKeys: String, CodingKey {
        case version, accounts
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        guard (1...DaemonState.currentVersion).contains(version) else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: container,
                debugDescription: "state version \(version) is not supported (this build reads 1 to "
                    + "\(DaemonState.currentVersion))")
        }
        accounts = try container.decodeIfPresent([String: AccountState].self, forKey: .accounts) ?? [:]
    }
}
