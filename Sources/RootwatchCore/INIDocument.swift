/// One configuration file as libinih reads it: every `key = value` with the file, line and section it
/// came from, plus every section header (libinih does not report headers, and an empty section or a
/// duplicate header must still be diagnosed).
///
/// Parsing is `INIDocument.parse(_:file:)` in `INIDocument+Parser.swift`; this type is only the result,
/// so validation can run on values built by hand in tests.
package struct INIDocument: Sendable, Equatable {
    /// The path the text was read from; errors name it.
    package var file: String
    /// Section headers in file order.
    package var sections: [INISectionHeader]
    /// `key = value` entries in file order. A continuation line is folded into its entry's value.
    package var entries: [INIEntry]

    package init(file: String, sections: [INISectionHeader] = [], entries: [INIEntry] = []) {
        self.file = file
        self.sections = sections
        self.entries = entries
    }
}

/// A `[section]` header line.
package struct INISectionHeader: Sendable, Equatable {
    /// The text between the brackets, e.g. `account prod`.
    package var name: String
    /// 1-based line number.
    package var line: Int

    package init(name: String, line: Int) {
        self.name = name
        self.line = line
    }
}

/// One `key = value` line (continuation lines folded in, separated by a space).
package struct INIEntry: Sendable, Equatable {
    package var file: String
    /// 1-based line number of the `key = value` line.
    package var line: Int
    /// The text of the enclosing header, e.g. `account prod`; empty before the first header.
    package var section: String
    package var key: String
    package var value: String

    package init(file: String, line: Int, section: String, key: String, value: String) {
        self.file = file
        self.line = line
        self.section = section
        self.key = key
        self.value = value
    }
}
