/// A JSON document with its object members in a fixed order, serialized to exact, repeatable bytes.
///
/// Webhook bodies are signed byte for byte and compared against golden files, and people read them in
/// receivers' logs: members appear in the order written (`type`, `timestamp`, `data` …), not sorted,
/// and the serializer is ours, so a Foundation update can never change what was signed. Non-ASCII
/// text is written as UTF-8, never `\u` escapes, as the chat platforms expect.
package indirect enum WebhookJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([WebhookJSON])
    case object([(String, WebhookJSON)])

    /// A string, or null for nil.
    package static func optional(_ value: String?) -> WebhookJSON { value.map(WebhookJSON.string) ?? .null }

    /// A boolean, or null for nil.
    package static func optional(_ value: Bool?) -> WebhookJSON { value.map(WebhookJSON.bool) ?? .null }

    /// Compact UTF-8 JSON: no spaces, members in order, `/` not escaped.
    package func serialized() -> [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.0, to: &out)
                out.append(UInt8(ascii: ":"))
                member.1.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8259 §7: quote, backslash and control characters escaped; everything else as UTF-8.
    private static func writeString(_ text: String, to out: inout [UInt8]) {
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x00..<0x20, 0x7F:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    package static func == (lhs: WebhookJSON, rhs: WebhookJSON) -> Bool {
        lhs.serialized() == rhs.serialized()
    }
}

extension WebhookJSON: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    package init(stringLiteral value: String) { self = .string(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
}
