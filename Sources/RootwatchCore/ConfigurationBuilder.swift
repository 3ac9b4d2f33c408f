/// The kinds of section the configuration knows, with the keys each accepts.
enum SectionKind: String, CaseIterable {
    case daemon, endpoints, credentials, account, webhook

    /// Whether the header carries a name: `[account prod]` versus `[daemon]`.
    var isNamed: Bool { self != .daemon && self != .endpoints }

    var keys: Set<String> {
        switch self {
        case .daemon:
            [
                "interval", "window", "jitter", "concurrency", "stale_after", "actiontrail_interval",
                "actiontrail_overlap", "metrics_file", "signature", "request_timeout",
            ]
        case .endpoints: ["ims", "sts", "actiontrail", "metadata"]
        case .credentials:
            [
                "access_key_id", "access_key_secret_file", "access_key_secret_credential", "access_key_secret",
                "source", "ram_role_name", "profile", "cli_config",
            ]
        case .account:
            [
                "credentials", "role_arn", "external_id", "role_session_name", "interval", "window",
                "stale_after", "actiontrail", "actiontrail_region",
            ]
        case .webhook:
            ["url", "format", "secret_file", "secret_credential", "secret", "accounts", "kinds", "max_age", "ca_file"]
        }
    }
}

/// One section with its values merged across files: a later file's value for a key wins.
struct MergedSection {
    var kind: SectionKind
    /// The NAME of `[type NAME]`; empty for `[daemon]` and `[endpoints]`.
    var name: String
    /// `type NAME` or `type`, as errors show it.
    var header: String
    /// Where the section first appears; section-level errors point here.
    var file: String
    var line: Int
    var values: [String: INIEntry] = [:]

    /// The entry for `key`; nil when absent or empty (`key =` means "not set", so a drop-in can reset a
    /// value to its default).
    func entry(_ key: String) -> INIEntry? {
        guard let entry = values[key], !entry.value.isEmpty else { return nil }
        return entry
    }
}

/// Turns parsed documents into a `Configuration`, collecting every problem as a `ConfigurationError`.
/// Single-use and single-threaded; `ConfigurationLoader` owns it for one load.
final class ConfigurationBuilder {
    static let namePattern = "[A-Za-z0-9_.-]"
    static let maximumNameLength = 32

    let files: [String]
    let fileSystem: any ConfigurationFileSystem
    let environment: [String: String]
    let credentialsDirectory: String?
    /// False for readers that need the shape of the configuration but no secret (`status`): secret
    /// files, credentials and environment variables are then not read, only named.
    let resolveSecrets: Bool
    private(set) var errors: [ConfigurationError] = []

    init(
        files: [String], fileSystem: any ConfigurationFileSystem, environment: [String: String],
        credentialsDirectory: String?, resolveSecrets: Bool = true
    ) {
        self.files = files
        self.fileSystem = fileSystem
        self.environment = environment
        self.credentialsDirectory = credentialsDirectory
        self.resolveSecrets = resolveSecrets
    }

    /// Errors in file order (main file first, then by line); errors about the whole configuration last.
    func sortedErrors() -> [ConfigurationError] {
        let rank = Dictionary(files.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return errors.enumerated().sorted { lhs, rhs in
            let left = (rank[lhs.element.file] ?? files.count, lhs.element.line ?? Int.max, lhs.offset)
            let right = (rank[rhs.element.file] ?? files.count, rhs.element.line ?? Int.max, rhs.offset)
            return left < right
        }.map(\.element)
    }

    /// Records a problem with a value (or, with `key` nil, with a whole section).
    func fail(_ section: MergedSection, _ key: String?, _ reason: String) {
        let entry = key.flatMap { section.values[$0] }
        errors.append(
            ConfigurationError(
                file: entry?.file ?? section.file, section: section.header, key: key,
                line: entry?.line ?? section.line, reason: reason))
    }

    func failFile(_ file: String, line: Int?, _ reason: String) {
        errors.append(ConfigurationError(file: file, line: line, reason: reason))
    }

    /// Builds the configuration; nil (with `errors` set) when the sections themselves are unusable.
    func build(_ documents: [INIDocument]) -> Configuration? {
        let sections = merge(documents)
        let daemon = buildDaemon(sections.first { $0.kind == .daemon })
        let endpoints = buildEndpoints(sections.first { $0.kind == .endpoints })
        let credentials = sections.filter { $0.kind == .credentials }.compactMap(buildCredentials)
        let accountNames = Set(sections.filter { $0.kind == .account }.map(\.name))
        let accounts = sections.filter { $0.kind == .account }.compactMap {
            buildAccount($0, daemon: daemon, credentials: Set(sections.filter { $0.kind == .credentials }.map(\.name)))
        }
        let webhooks = sections.filter { $0.kind == .webhook }.compactMap { buildWebhook($0, accounts: accountNames) }
        if accountNames.isEmpty {
            failFile(files[0], line: nil, "no [account NAME] section: there is nothing to watch")
        }
        guard errors.isEmpty else { return nil }
        return Configuration(
            files: files, daemon: daemon, endpoints: endpoints, credentials: credentials, accounts: accounts,
            webhooks: webhooks)
    }

    /// Checks headers and keys file by file, then merges sections across files in order of first
    /// appearance. Duplicate headers and keys are errors within one file, overrides across files.
    private func merge(_ documents: [INIDocument]) -> [MergedSection] {
        var merged: [MergedSection] = []
        var index: [String: Int] = [:]
        for document in documents {
            var seenHeaders: [String: Int] = [:]
            for header in document.sections {
                guard let (kind, name) = parseHeader(header, file: document.file) else { continue }
                let canonical = kind.isNamed ? "\(kind.rawValue) \(name)" : kind.rawValue
                if let first = seenHeaders[canonical] {
                    failFile(
                        document.file, line: header.line, "duplicate section [\(canonical)] (first at line \(first))")
                    continue
                }
                seenHeaders[canonical] = header.line
                if index[canonical] == nil {
                    index[canonical] = merged.count
                    merged.append(
                        MergedSection(
                            kind: kind, name: name, header: canonical, file: document.file, line: header.line))
                }
            }
            var seenKeys: [String: Int] = [:]
            for entry in document.entries {
                guard !entry.section.isEmpty else {
                    failFile(document.file, line: entry.line, "\"\(entry.key)\" is set before any [section]")
                    continue
                }
                guard let position = index[canonicalHeader(entry.section)] else { continue }
                var section = merged[position]
                guard section.kind.keys.contains(entry.key) else {
                    section.values[entry.key] = entry
                    fail(section, entry.key, "unknown key")
                    continue
                }
                let slot = section.header + "\u{0}" + entry.key
                if let first = seenKeys[slot] {
                    section.values[entry.key] = entry
                    fail(section, entry.key, "set twice in this file (lines \(first) and \(entry.line))")
                    continue
                }
                seenKeys[slot] = entry.line
                merged[position].values[entry.key] = entry
            }
        }
        return merged
    }

    /// Splits `type NAME`; records an error and returns nil for an unknown type or a bad name.
    private func parseHeader(_ header: INISectionHeader, file: String) -> (SectionKind, String)? {
        let text = canonicalHeader(header.name)
        let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let kind = SectionKind(rawValue: parts[0]) else {
            failFile(
                file, line: header.line,
                "unknown section [\(header.name)] (expected [daemon], [endpoints], [credentials NAME], "
                    + "[account NAME] or [webhook NAME])")
            return nil
        }
        if !kind.isNamed {
            guard parts.count == 1 else {
                failFile(file, line: header.line, "[\(kind.rawValue)] takes no name")
                return nil
            }
            return (kind, "")
        }
        guard parts.count == 2, Self.isName(parts[1]) else {
            failFile(
                file, line: header.line,
                "[\(header.name)]: expected [\(kind.rawValue) NAME] with NAME of 1 to \(Self.maximumNameLength) "
                    + "letters, digits, \"_\", \".\" or \"-\"")
            return nil
        }
        return (kind, parts[1])
    }

    /// Header text without surrounding blanks: `[ daemon ]` is `[daemon]`.
    private func canonicalHeader(_ text: String) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    /// Section names: 1 to 32 of `[A-Za-z0-9_.-]`.
    static func isName(_ text: String) -> Bool {
        matches(text, extra: "_.-", length: 1...maximumNameLength)
    }

    /// Whether `text` is `length` bytes of ASCII letters, digits and the characters in `extra`.
    static func matches(_ text: String, extra: String, length: ClosedRange<Int>) -> Bool {
        length.contains(text.utf8.count) && text.utf8.allSatisfy { isAlphanumeric($0) || extra.utf8.contains($0) }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
