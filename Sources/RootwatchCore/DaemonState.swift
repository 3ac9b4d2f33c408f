import FoundationEssentials

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

extension DaemonState {
    /// The state file's bytes, encoded one account at a time: the same JSON document (sorted keys), one
    /// account per line, without ever holding a thousand accounts' encoding tree at once.
    package func encodedIncrementally() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data("{\"accounts\":{".utf8)
        for (index, name) in accounts.keys.sorted().enumerated() {
            data.append(contentsOf: Array((index == 0 ? "\n" : ",\n").utf8))
            data.append(try encoder.encode(name))
            data.append(UInt8(ascii: ":"))
            data.append(try encoder.encode(accounts[name]))
        }
        data.append(contentsOf: Array("\(accounts.isEmpty ? "" : "\n")},\"version\":\(version)}\n".utf8))
        return data
    }
}
