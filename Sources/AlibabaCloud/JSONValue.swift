import FoundationEssentials

/// Free-form JSON, for response bodies and ActionTrail events whose shape is not fixed.
///
/// The API responses rootwatchd reads are small and loosely typed (`IsTruncated` is a string in one
/// document and a boolean in another), so fields are read through lenient accessors instead of
/// rigid `Decodable` structs; a missing field becomes a typed error at the call site.
package enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a UTF-8 JSON document (any top-level value).
    package static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// The member `key` of an object; nil for other values or a missing key.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The element at `index` of an array; nil for other values or out of range.
    package subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// Follows a path of object keys: `event[path: "userIdentity", "type"]`.
    package subscript(path keys: String...) -> JSONValue? {
        var current: JSONValue? = self
        for key in keys { current = current?[key] }
        return current
    }

    /// The string, if this is one.
    package var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// A boolean, also accepting the strings `"true"` / `"false"` (case-insensitive) that several
    /// Alibaba Cloud APIs return instead of JSON booleans.
    package var boolValue: Bool? {
        switch self {
        case .bool(let value): value
        case .string(let text) where text.lowercased() == "true": true
        case .string(let text) where text.lowercased() == "false": false
        default: nil
        }
    }

    /// The number, if this is one.
    package var doubleValue: Double? {
        if case .number(let value) = self { value } else { nil }
    }

    /// A whole number, also accepting a numeric string.
    package var intValue: Int? {
        switch self {
        case .number(let value): value.rounded() == value && abs(value) < 9e15 ? Int(value) : nil
        case .string(let text): Int(text)
        default: nil
        }
    }

    /// The elements, if this is an array.
    package var arrayValue: [JSONValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    /// The members, if this is an object.
    package var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { value } else { nil }
    }

    /// True for JSON `null`.
    package var isNull: Bool { self == .null }
}

extension JSONValue: Encodable {
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers print without a fraction, as people and scripts expect (`3`, not `3.0`).
            if value.rounded() == value, abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }

    /// The document as compact UTF-8 JSON with sorted keys, so output is byte-for-byte repeatable.
    package func serialized(pretty: Bool = false) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: every case maps to a JSON value.
        return Array((try? encoder.encode(self)) ?? Data("null".utf8))
    }

    /// A string, or null for nil.
    package static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// A boolean, or null for nil.
    package static func bool(_ value: Bool?) -> JSONValue { value.map(JSONValue.bool) ?? .null }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    package init(stringLiteral value: String) { self = .string(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(integerLiteral value: Int) { self = .number(Double(value)) }
    package init(nilLiteral: ()) { self = .null }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue {
    /// A JSON object whose members are written one by one: `members` are encoded compactly, except the
    /// array `streamedKey`, whose elements come from `elements` and are encoded one at a time, one per
    /// line. Large documents (an entry per account of a fleet) are never held as one tree.
    package static func streamedDocument(
        _ members: [String: JSONValue], streamedKey: String, count: Int, elements: (Int) -> JSONValue
    ) -> String {
        var text = "{"
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            text += String(decoding: JSONValue.string(key).serialized(), as: UTF8.self) + ":"
            text += String(decoding: value.serialized(), as: UTF8.self) + ","
        }
        text += String(decoding: JSONValue.string(streamedKey).serialized(), as: UTF8.self) + ":["
        for index in 0..<count {
            text += (index == 0 ? "\n" : ",\n") + String(decoding: elements(index).serialized(), as: UTF8.self)
        }
        return text + (count == 0 ? "]}" : "\n]}")
    }
}
