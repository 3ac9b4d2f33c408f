import FoundationEssentials

/// A parsed IMS credential report: the `<root>` row's signals, how many RAM users it covers, and the cells
/// that could not be read.
///
/// Columns are found by header name, never by position: their order after the first eleven is undocumented
/// (alibaba-api.md §2.1). Unknown columns are ignored and optional ones may be missing.
package struct CredentialReport: Sendable, Equatable {
    /// A report cannot be generated for more RAM users than this (alibaba-api.md §1.4).
    package static let maxUsers = 3500
    /// The `user` value of the root account's row.
    package static let rootUser = "<root>"
    /// Cell values that mean "none" in every signal column.
    package static let sentinels: Set<String> = ["-", "N/A", "LOGIN_DISABLED", ""]

    package var root: RootRow
    /// RAM users in the report: every user row except `<root>`.
    package var userCount: Int
    /// The header, as read (trimmed, lower-cased).
    package var columns: [String]
    /// Unreadable cells of the `<root>` row.
    package var diagnostics: [ReportDiagnostic]

    package init(root: RootRow, userCount: Int, columns: [String], diagnostics: [ReportDiagnostic] = []) {
        self.root = root
        self.userCount = userCount
        self.columns = columns
        self.diagnostics = diagnostics
    }

    /// Parses the Base64-decoded `Content` of every `GetCredentialReport` page, in order.
    ///
    /// Whether later pages repeat the header is undocumented (alibaba-api.md §1.3), so a later page whose
    /// first row equals the header is read as a repeated header and skipped.
    package static func parse(pages: [[UInt8]]) throws(ReportError) -> CredentialReport {
        var header: [String]?
        var firstRow: [String] = []
        var users: [[String]] = []
        for (number, page) in zip(1..., pages) {
            let rows: [[String]]
            do {
                rows = try CSVReader.rows(page)
            } catch {
                throw ReportError.malformedCSV(page: number, error)
            }
            guard let first = rows.first else { continue }
            if let header {
                users += normalized(first) == header ? rows.dropFirst() : rows[...]
            } else {
                header = normalized(first)
                firstRow = first
                users += rows.dropFirst()
            }
        }
        guard let header else { throw ReportError.empty }
        guard let userColumn = header.firstIndex(of: "user") else {
            throw ReportError.noHeader(firstRow: Array(firstRow.prefix(3)))
        }
        guard !users.isEmpty else { throw ReportError.headerOnly }

        let rootRows = users.filter { $0.indices.contains(userColumn) && $0[userColumn] == rootUser }
        let userCount = users.count - rootRows.count
        guard userCount <= maxUsers else { throw ReportError.tooManyUsers(userCount) }
        guard let rootRow = rootRows.first else { throw ReportError.noRootRow(userCount: userCount) }

        var reader = RowReader(header: header, cells: rootRow)
        if rootRows.count > 1 {
            reader.diagnostics.append(
                ReportDiagnostic(
                    column: "user", value: rootUser,
                    message: "\(rootRows.count) rows for \(rootUser); the first one is used"))
        }
        let root = RootRow(
            lastConsoleLogon: reader.time("user_last_logon"),
            mfaActive: reader.flag("mfa_active"),
            keys: KeySlot.names.compactMap { slot in
                let columns = ["_exist", "_active", "_last_used", "_last_rotated"].map { slot + $0 }
                guard columns.contains(where: header.contains) else { return nil }
                return KeySlot(
                    slot: slot, exists: reader.flag(slot + "_exist"), active: reader.flag(slot + "_active"),
                    lastUsed: reader.time(slot + "_last_used"))
            })
        return CredentialReport(root: root, userCount: userCount, columns: header, diagnostics: reader.diagnostics)
    }

    /// Header names as compared: surrounding spaces removed, lower-cased.
    private static func normalized(_ row: [String]) -> [String] {
        row.map { $0.trimmingBlanks.lowercased() }
    }
}

/// Reads typed cells of one row by column name, collecting diagnostics for cells it cannot read.
private struct RowReader {
    let header: [String]
    let cells: [String]
    var diagnostics: [ReportDiagnostic] = []

    /// The trimmed cell, or nil when the column is absent. A row shorter than the header has empty cells.
    func cell(_ column: String) -> String? {
        guard let index = header.firstIndex(of: column) else { return nil }
        return cells.indices.contains(index) ? cells[index].trimmingBlanks : ""
    }

    /// A timestamp cell: nil when absent, a sentinel, or unreadable (with a diagnostic).
    mutating func time(_ column: String) -> Date? {
        guard let value = cell(column), !CredentialReport.sentinels.contains(value.uppercased()) else { return nil }
        if let date = Timestamp.parse(value) { return date }
        diagnostics.append(
            ReportDiagnostic(
                column: column, value: value,
                message: "\"\(value)\" is not a timestamp (expected YYYY-MM-DDThh:mm:ssZ); read as none"))
        return nil
    }

    /// A boolean cell: nil only when the column is absent; true only for `TRUE` in any case. A value that
    /// is neither a boolean nor a sentinel also gets a diagnostic.
    mutating func flag(_ column: String) -> Bool? {
        guard let value = cell(column)?.uppercased() else { return nil }
        if value == "TRUE" { return true }
        if value != "FALSE" && !CredentialReport.sentinels.contains(value) {
            diagnostics.append(
                ReportDiagnostic(
                    column: column, value: value,
                    message: "\"\(value)\" is not TRUE or FALSE; read as FALSE"))
        }
        return false
    }
}
