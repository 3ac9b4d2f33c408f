extension String {
    /// The string without leading and trailing spaces and tabs.
    ///
    /// FoundationEssentials has no `trimmingCharacters(in:)`; report cells and configuration values only
    /// ever need blanks removed.
    var trimmingBlanks: String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isBlank($0) }), let end = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
