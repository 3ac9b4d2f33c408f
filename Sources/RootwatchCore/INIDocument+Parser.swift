@preconcurrency import CInih
import Synchronization

extension INIDocument {
    /// The longest line accepted, in bytes. libinih's buffer holds the line plus `\r`, `\n` and NUL;
    /// Debian's build defaults to 200 bytes, too short for a Teams workflow URL.
    package static let maximumLineLength = 4093

    /// Parses one configuration file with libinih: `[section]` headers, `key = value` (or `key: value`),
    /// `;` and `#` comments at the start of a line or after whitespace, indented continuation lines.
    ///
    /// The file is fed to `ini_parse_stream` one line at a time, so every handler call knows its line
    /// number (Debian's libinih passes none) and inline ` #` comments can be removed first (libinih only
    /// knows inline `;`). Throws the first syntax error, naming the file and line.
    package static func parse(_ bytes: [UInt8], file: String) throws(ConfigurationError) -> INIDocument {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(file: file, reason: "is not UTF-8 text")
        }
        return try parse(text, file: file)
    }

    /// Parses configuration text; see `parse(_:file:)` for bytes.
    package static func parse(_ text: String, file: String) throws(ConfigurationError) -> INIDocument {
        var lines: [[UInt8]] = []
        for (index, line) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
        {
            var bytes = Array(line)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            if bytes.contains(0) {
                throw ConfigurationError(file: file, line: index + 1, reason: "contains a NUL byte")
            }
            lines.append(removingHashComment(bytes))
        }
        if lines.last == [] { lines.removeLast() }

        let context = INIParseContext(file: file, lines: lines)
        let status = inihLock.withLock { _ in
            ini_max_line = Int32(maximumLineLength + 3)
            let pointer = Unmanaged.passUnretained(context).toOpaque()
            return withExtendedLifetime(context) {
                ini_parse_stream(readLine, pointer, handleEntry, pointer)
            }
        }
        if let line = context.overlongLine {
            throw ConfigurationError(
                file: file, line: line, reason: "line is longer than \(maximumLineLength) bytes")
        }
        if status > 0 {
            let line = Int(status)
            let trimmed = lines[line - 1].drop { isSpace($0) }
            let reason =
                trimmed.first == UInt8(ascii: "[")
                ? "section header has no closing \"]\""
                : "expected \"[section]\", \"key = value\" or a comment"
            throw ConfigurationError(file: file, line: line, reason: reason)
        }
        if status < 0 {
            throw ConfigurationError(file: file, reason: "could not be parsed (libinih status \(status))")
        }
        return INIDocument(file: file, sections: context.sections, entries: context.entries)
    }

    /// Cuts a ` #` comment: whitespace followed by `#` starts a comment, as in the documented example.
    /// A `#` inside a value (a URL fragment) without whitespace before it stays.
    static func removingHashComment(_ line: [UInt8]) -> [UInt8] {
        var index = 1
        while index < line.count {
            if line[index] == UInt8(ascii: "#") && isSpace(line[index - 1]) {
                return Array(line[..<(index - 1)])
            }
            index += 1
        }
        return line
    }
}

/// libinih's `isspace`.
private func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
}

/// Serializes parses: libinih's line length is a process-wide variable.
private let inihLock = Mutex(())

/// State shared by the reader and handler callbacks of one `ini_parse_stream` call, passed as
/// `userdata` (a capturing closure cannot be a C function pointer).
private final class INIParseContext {
    let file: String
    let lines: [[UInt8]]
    var next = 0
    var sections: [INISectionHeader] = []
    var entries: [INIEntry] = []
    var overlongLine: Int?
    /// The header libinih is in, tracked here because libinih truncates long ones.
    private var section = ""
    /// Mirrors libinih's `prev_name`: an indented line after a key continues that key's value.
    private var afterKey = false
    private var lineIsContinuation = false

    init(file: String, lines: [[UInt8]]) {
        self.file = file
        self.lines = lines
    }

    /// Copies the next line (with its newline) into libinih's buffer; nil at the end or at a line that
    /// does not fit, which ends the parse.
    func readLine(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> UnsafeMutablePointer<CChar>? {
        guard next < lines.count else { return nil }
        let line = lines[next]
        guard line.count + 3 <= capacity else {
            overlongLine = next + 1
            return nil
        }
        next += 1
        line.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress { buffer.update(from: base, count: chars.count) }
            }
        }
        buffer[line.count] = CChar(UInt8(ascii: "\n"))
        buffer[line.count + 1] = 0
        classify(line)
        return buffer
    }

    /// Tracks headers the way libinih decides them: comment, continuation, header, or key line.
    private func classify(_ line: [UInt8]) {
        var body = line[...]
        if next == 1 && body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let start = body.drop(while: isSpace)
        lineIsContinuation = false
        guard let first = start.first else { return }
        if first == UInt8(ascii: ";") || first == UInt8(ascii: "#") { return }
        if afterKey && start.startIndex > body.startIndex {
            lineIsContinuation = true
            return
        }
        guard first == UInt8(ascii: "[") else { return }
        var index = start.index(after: start.startIndex)
        while index < start.endIndex {
            let byte = start[index]
            if byte == UInt8(ascii: "]") {
                let name = String(decoding: start[start.index(after: start.startIndex)..<index], as: UTF8.self)
                sections.append(INISectionHeader(name: name, line: next))
                section = name
                afterKey = false
                return
            }
            if byte == UInt8(ascii: ";") && isSpace(start[start.index(before: index)]) { return }
            index += 1
        }
    }

    /// Records one `key = value` from libinih, folding continuation lines into the entry they continue.
    func add(key: String, value: String) {
        afterKey = true
        if lineIsContinuation, let last = entries.indices.last, entries[last].key == key {
            entries[last].value += entries[last].value.isEmpty ? value : " " + value
            return
        }
        entries.append(INIEntry(file: file, line: next, section: section, key: key, value: value))
    }
}

/// `ini_reader`: fgets-like, one line per call.
private let readLine: ini_reader = { buffer, size, stream in
    guard let buffer, let stream else { return nil }
    let context = Unmanaged<INIParseContext>.fromOpaque(stream).takeUnretainedValue()
    return context.readLine(into: buffer, capacity: Int(size))
}

/// `ini_handler`: called for every `key = value` and every continuation line; never fails the parse
/// (validation reports bad keys with their section and line).
private let handleEntry: ini_handler = { user, _, name, value in
    guard let user, let name, let value else { return 1 }
    let context = Unmanaged<INIParseContext>.fromOpaque(user).takeUnretainedValue()
    context.add(key: String(cString: name), value: String(cString: value))
    return 1
}
