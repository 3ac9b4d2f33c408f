import FoundationEssentials

/// A plain-text table for terminals: a header row and columns padded to their widest cell.
package struct TextTable: Sendable {
    package var header: [String]
    package var rows: [[String]] = []

    package init(_ header: [String]) { self.header = header }

    package mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as lines joined with newlines, two spaces between columns, no trailing spaces.
    package func render() -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// How long ago (or how far ahead) an instant is, as a person reads it: `3m ago`, `in 12m`, `160d ago`.
package enum Age {
    package static func describe(_ date: Date?, now: Date, never: String = "never") -> String {
        guard let date else { return never }
        let seconds = Int(now.timeIntervalSince(date).rounded())
        let magnitude = abs(seconds)
        let text: String
        switch magnitude {
        case ..<60: text = "\(magnitude)s"
        case ..<3600: text = "\(magnitude / 60)m"
        case ..<86_400: text = "\(magnitude / 3600)h\(magnitude % 3600 / 60 == 0 ? "" : "\(magnitude % 3600 / 60)m")"
        default: text = "\(magnitude / 86_400)d"
        }
        if magnitude < 1 { return "now" }
        return seconds >= 0 ? "\(text) ago" : "in \(text)"
    }
}
