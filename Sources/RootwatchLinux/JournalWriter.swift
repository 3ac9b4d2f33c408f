import CSystemd
import Glibc

/// Sends one journal entry through `sd_journal_sendv` from a list of `NAME=value` fields.
///
/// `sd_journal_send` is variadic and unavailable in Swift, so every field is laid out in one byte buffer
/// and an `iovec` array points into it for the duration of the call. libsystemd serializes each field
/// with the journal's native protocol, which carries values with newlines (and any other bytes) in its
/// length-prefixed binary form, so values need no escaping here. Names must already be valid journal
/// field names (see `JournalFieldName`).
package enum JournalWriter {
    /// Sends `fields` as one entry; throws when libsystemd reports a negative errno.
    ///
    /// A return of 0 does not prove delivery: with no journal socket libsystemd drops the entry and
    /// still returns 0 (see `JournalAvailability`).
    package static func send(_ fields: [(name: String, value: String)]) throws(SystemCallError) {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(fields.count)
        for field in fields {
            let start = bytes.count
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(UInt8(ascii: "="))
            bytes.append(contentsOf: field.value.utf8)
            ranges.append(start..<bytes.count)
        }
        let result = bytes.withUnsafeMutableBytes { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -EINVAL }
            var vectors = ranges.map { range in
                iovec(iov_base: base + range.lowerBound, iov_len: range.count)
            }
            return vectors.withUnsafeMutableBufferPointer { iov in
                sd_journal_sendv(iov.baseAddress, Int32(iov.count))
            }
        }
        if result < 0 {
            throw SystemCallError("sd_journal_sendv", errno: -result)
        }
    }
}

/// Journal field names: upper-case ASCII letters, digits and `_`, not starting with `_` (reserved for
/// fields journald adds itself) or a digit, at most 64 characters.
package enum JournalFieldName {
    /// The longest name journald accepts.
    package static let maximumLength = 64

    /// Whether journald would accept `name` as given.
    package static func isValid(_ name: String) -> Bool {
        sanitized(name) == name
    }

    /// `name` made acceptable: letters upper-cased, other characters turned into `_`, leading `_` and
    /// digits dropped, cut to 64 characters; nil when nothing usable is left.
    ///
    /// Metadata keys written in swift-log's dotted style (`scan.duration`) thus become `SCAN_DURATION`
    /// instead of being dropped by journald, which silently ignores invalid names.
    package static func sanitized(_ name: String) -> String? {
        var out: [UInt8] = []
        for scalar in name.unicodeScalars {
            switch scalar {
            case "A"..."Z", "0"..."9": out.append(UInt8(scalar.value))
            case "a"..."z": out.append(UInt8(scalar.value) - 32)
            default: out.append(UInt8(ascii: "_"))
            }
        }
        let start = out.firstIndex { $0 != UInt8(ascii: "_") && !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard let start else { return nil }
        return String(decoding: out[start...].prefix(maximumLength), as: UTF8.self)
    }
}
