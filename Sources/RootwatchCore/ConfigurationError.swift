/// A configuration problem, rendered as the one line an operator reads on stderr or in the journal.
///
/// `description` is `<file>: [<section>] <key>: <reason>` for a problem with a value,
/// `<file>: [<section>]: <reason>` for a problem with a whole section, and `<file>:<line>: <reason>`
/// (or `<file>: <reason>`) for a problem with the file itself. The caller adds the `rootwatchd: ` prefix.
/// The reason never contains a secret.
package struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    package var file: String
    /// The section header text, e.g. `account prod`; nil for file-level problems.
    package var section: String?
    package var key: String?
    /// The line the problem was found on, when one line is to blame; shown only for file-level problems.
    package var line: Int?
    package var reason: String

    package init(file: String, section: String? = nil, key: String? = nil, line: Int? = nil, reason: String) {
        self.file = file
        self.section = section
        self.key = key
        self.line = line
        self.reason = reason
    }

    package var description: String {
        switch (section, key, line) {
        case (let section?, let key?, _): "\(file): [\(section)] \(key): \(reason)"
        case (let section?, nil, _): "\(file): [\(section)]: \(reason)"
        case (nil, _, let line?): "\(file):\(line): \(reason)"
        case (nil, _, nil): "\(file): \(reason)"
        }
    }
}

/// Every problem found in one load, in file order; thrown when the caller wants them all
/// (`check-config`). `first` is what the daemon reports.
package struct ConfigurationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    package var errors: [ConfigurationError]

    package init(_ errors: [ConfigurationError]) {
        self.errors = errors
    }

    package var first: ConfigurationError? { errors.first }

    /// One error per line.
    package var description: String { errors.map(\.description).joined(separator: "\n") }
}
