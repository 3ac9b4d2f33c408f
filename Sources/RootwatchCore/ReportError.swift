/// Why a credential report cannot be used: a scan error for the account, never a silent pass
/// (product.md §1). Each description is one line an operator can act on.
package enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No page holds any row at all.
    case empty
    /// The header row (or a report with only a header) lists no user rows.
    case headerOnly
    /// The first row has no `user` column, so it is not the report's header; carries its first three cells.
    case noHeader(firstRow: [String])
    /// No row's `user` is exactly `<root>`.
    case noRootRow(userCount: Int)
    /// More RAM users than a credential report can cover.
    case tooManyUsers(Int)
    /// A page is not CSV; `page` is 1-based.
    case malformedCSV(page: Int, CSVError)

    package var description: String {
        switch self {
        case .empty:
            "credential report is empty"
        case .headerOnly:
            "credential report has a header but no user rows"
        case .noHeader(let firstRow):
            "credential report has no header row with a 'user' column (first row starts with "
                + "'\(firstRow.prefix(3).joined(separator: ","))')"
        case .noRootRow(let userCount):
            "credential report has no <root> row (\(userCount) other users listed)"
        case .tooManyUsers(let count):
            "credential report lists \(count) RAM users, more than the \(CredentialReport.maxUsers) it supports"
        case .malformedCSV(let page, let error):
            "credential report page \(page) is not valid CSV: \(error)"
        }
    }
}

/// A report cell of the `<root>` row that could not be read: a warning for that cell, never a failed scan
/// (product.md §1), logged at PRIORITY 4 and listed in `check --json` `warnings`.
package struct ReportDiagnostic: Sendable, Equatable, CustomStringConvertible {
    package var column: String
    package var value: String
    package var message: String

    package init(column: String, value: String, message: String) {
        self.column = column
        self.value = value
        self.message = message
    }

    package var description: String { "\(column): \(message)" }
}
