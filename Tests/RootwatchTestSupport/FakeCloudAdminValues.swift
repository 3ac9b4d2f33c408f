import AlibabaCloud
import Foundation

/// A fault for the fake's admin API: which requests it hits and what it answers.
package struct FakeCloudFault: Sendable {
    /// `throttle`, `server_error`, `delay`, `malformed_json`, `truncated_base64`, `missing_root`,
    /// `empty_report`, `forbidden` or `actiontrail_not_enabled`.
    package var type: String
    /// The scenario account name, or `*`.
    package var account: String
    /// The API action, or `*`.
    package var action: String
    /// How many matching requests it hits; -1 for all of them.
    package var count: Int
    /// The type's options: `retry_after`, `status`, `html`, `ms`, `code`.
    package var options: [String: JSONValue]

    package init(
        _ type: String, account: String, action: String = "*", count: Int = 1, options: [String: JSONValue] = [:]
    ) {
        self.type = type
        self.account = account
        self.action = action
        self.count = count
        self.options = options
    }

    /// The admin API's JSON form.
    var json: JSONValue {
        .object(
            options.merging([
                "type": .string(type), "account": .string(account), "action": .string(action),
                "count": .number(Double(count)),
            ]) { $1 })
    }
}

/// The fake's `/__admin/stats` counters.
package struct FakeCloudStats: Sendable {
    package var peakConcurrency: Int
    package var inFlight: Int
    package var requests: Int
    package var byAction: [String: Int]
    package var rejected: [String: Int]

    init(_ json: JSONValue) {
        peakConcurrency = json["peak_concurrency"]?.intValue ?? -1
        inFlight = json["in_flight"]?.intValue ?? -1
        requests = json["requests"]?.intValue ?? -1
        byAction = (json["by_action"]?.objectValue ?? [:]).compactMapValues(\.intValue)
        rejected = (json["rejected"]?.objectValue ?? [:]).compactMapValues(\.intValue)
    }
}

/// One entry of the fake's request log.
package struct FakeCloudRequest: Sendable, Equatable {
    package var action: String?
    package var account: String?
    /// `v3`, `v1`, or nil when the request carried no recognisable signature.
    package var signature: String?
    /// Masked as the fake logs it: `LTAI****abcd`.
    package var accessKeyID: String?
    package var status: Int
    package var code: String?

    package init(
        action: String?, account: String?, signature: String?, accessKeyID: String?, status: Int, code: String?
    ) {
        self.action = action
        self.account = account
        self.signature = signature
        self.accessKeyID = accessKeyID
        self.status = status
        self.code = code
    }

    init(_ json: JSONValue) {
        action = json["action"]?.stringValue
        account = json["account"]?.stringValue
        signature = json["signature"]?.stringValue
        accessKeyID = json["access_key_id"]?.stringValue
        status = json["status"]?.intValue ?? 0
        code = json["code"]?.stringValue
    }
}

/// Writes a `JSONValue` as compact JSON text for admin request bodies.
enum FakeCloudJSON {
    static func encode(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .string(let text): return quote(text)
        case .array(let items): return "[" + items.map(encode).joined(separator: ",") + "]"
        case .object(let members):
            return "{"
                + members.sorted { $0.key < $1.key }.map { quote($0.key) + ":" + encode($0.value) }
                .joined(separator: ",") + "}"
        }
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
