/// Percent-encoding as Alibaba Cloud's signers define it: RFC 3986 with upper-case hex.
///
/// Only `A-Z a-z 0-9 - _ . ~` stay as they are; every other UTF-8 byte becomes `%XX`, so a space is
/// `%20` (never `+`), `*` is `%2A` and `~` is kept. Both signature versions and the query string on
/// the wire use this one encoding, so what is sent is byte-for-byte what was signed.
/// See https://help.aliyun.com/document_detail/157269.html (step 2, "使用UTF-8字符集按照RFC3986规则编码").
package enum PercentEncoding {
    /// Encodes `text` for a query name or value (and for V1's second encoding of the whole string).
    package static func encode(_ text: String) -> String {
        let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` sequences (and nothing else: `+` stays `+`); nil on a malformed escape or
    /// bytes that are not UTF-8.
    package static func decode(_ text: String) -> String? {
        var out: [UInt8] = []
        var bytes = text.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte == UInt8(ascii: "%") else {
                out.append(byte)
                continue
            }
            guard let high = bytes.next().flatMap(hexValue), let low = bytes.next().flatMap(hexValue) else {
                return nil
            }
            out.append(high << 4 | low)
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Sorts parameters by encoded name (byte order) and joins `name=value` pairs with `&`: the
    /// canonicalized query string of both signature versions, and the query string sent.
    package static func canonicalQuery(_ parameters: [String: String]) -> String {
        parameters
            .map { (name: encode($0.key), value: encode($0.value)) }
            .sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "&")
    }

    /// Splits a raw query string into decoded name/value pairs in order; nil if any escape is malformed.
    package static func parseQuery(_ query: String) -> [(name: String, value: String)]? {
        var pairs: [(name: String, value: String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(String(parts[0])),
                let value = decode(parts.count > 1 ? String(parts[1]) : "")
            else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
