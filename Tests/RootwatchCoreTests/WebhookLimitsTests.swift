import AlibabaCloud
import Foundation
import RootwatchCore
import Testing

/// Size limits, non-ASCII text and hostile user-derived values: a sign-in's user agent is chosen by
/// whoever signed in.
@Suite struct WebhookLimitsTests {
    static func alert(userAgent: String, account: String = "prod") -> Alert {
        Alert(
            kind: .rootConsoleLogon, account: account, accountID: "1234567890123456",
            activityTime: time("2026-12-04T10:00:03Z"), detectedAt: time("2026-12-04T10:04:11Z"), window: "7d",
            source: .actiontrail, sourceIP: "203.0.113.7", userAgent: userAgent, mfaChecked: true,
            eventID: "e-1", region: "cn-hangzhou")
    }

    static let hugeAgents = [
        "ascii": String(repeating: "Mozilla/5.0 ", count: 20_000),
        "chinese": String(repeating: "主账号登录浏览器", count: 10_000),
        "emoji": String(repeating: "🚨", count: 30_000),
    ]

    @Test(arguments: ["ascii", "chinese", "emoji"])
    func payloadsStayWithinEveryPlatformLimit(kind: String) throws {
        let agent = try #require(Self.hugeAgents[kind])
        let alert = Self.alert(userAgent: agent, account: String(repeating: "账", count: 2_000))
        let standard = try WebhookSamples.request(.standard, alert).body
        #expect(standard.count <= 20_000)

        #expect(try WebhookSamples.request(.dingtalk, alert).body.count <= 20_000)
        #expect(try WebhookSamples.request(.lark, alert).body.count <= 20_000)
        #expect(try WebhookSamples.request(.teams, alert).body.count <= 28_000)

        let weCom = try parsedJSON(try WebhookSamples.request(.wecom, alert).body)
        let content = try #require(weCom[path: "markdown", "content"]?.stringValue)
        #expect(content.utf8.count <= 4_096)
        #expect(content.contains(alert.id), "the alert id survives the cut")

        let slack = try parsedJSON(try WebhookSamples.request(.slack, alert).body)
        let blocks = try #require(slack["blocks"]?.arrayValue)
        #expect(blocks.count <= 50)
        for block in blocks {
            switch block["type"]?.stringValue {
            case "header": #expect((block[path: "text", "text"]?.stringValue?.utf16.count ?? .max) <= 150)
            case "section":
                if let text = block[path: "text", "text"]?.stringValue { #expect(text.utf16.count <= 3_000) }
                let fields = block["fields"]?.arrayValue ?? []
                #expect(fields.count <= 10)
                for field in fields { #expect((field["text"]?.stringValue?.utf16.count ?? .max) <= 2_000) }
            default: break
            }
        }
        #expect((slack["text"]?.stringValue?.utf16.count ?? .max) <= 40_000)
    }

    @Test func aCutValueEndsWithAnEllipsisOnACharacterBoundary() throws {
        let json = try parsedJSON(
            try WebhookSamples.request(.standard, Self.alert(userAgent: String(repeating: "登", count: 5_000))).body)
        let agent = try #require(json[path: "data", "user_agent"]?.stringValue)
        #expect(agent.hasSuffix("…"))
        #expect(agent.utf8.count <= WebhookStandardRenderer.maxValueBytes)
        #expect(agent.dropLast().allSatisfy { $0 == "登" })
    }

    @Test(arguments: [(10, "abcdefghij"), (9, "abcdef…"), (3, "…"), (0, "…")])
    func truncatedCountsBytes(max: Int, expected: String) {
        #expect(WebhookText.truncated("abcdefghij", maxBytes: max) == expected)
    }

    @Test func truncationNeverSplitsACharacter() {
        let cut = WebhookText.truncated("主账号登录", maxBytes: 10)  // 3 bytes each, ellipsis 3
        #expect(cut == "主账…")
        #expect(WebhookText.truncated("👍🏽👍🏽", maxUnits: 5) == "👍🏽…")
    }

    @Test(arguments: WebhookFormat.allCases)
    func chineseTextTravelsAsUTF8(format: WebhookFormat) throws {
        let alert = Self.alert(userAgent: "阿里云控制台", account: "生产账号")
        let body = try WebhookSamples.request(format, alert).body
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains("生产账号") && text.contains("阿里云控制台"))
        #expect(!text.contains("\\u"), "no \\u escapes for non-ASCII")
        #expect(try parsedJSON(body) != .null)
    }

    static let hostile = "x <!channel> <@all> <at id=all></at> [click](https://evil.example) `code`\n### Fake heading"

    @Test func slackEscapesUserDerivedText() throws {
        let text = String(
            decoding: try WebhookSamples.request(.slack, Self.alert(userAgent: Self.hostile)).body, as: UTF8.self)
        #expect(!text.contains("<!channel>") && !text.contains("<@all>"))
        #expect(text.contains("&lt;!channel&gt;"))
        #expect(!text.contains("\\n### Fake"))
    }

    @Test(arguments: [WebhookFormat.dingtalk, .lark, .teams, .wecom])
    func markdownFormatsMakeUserDerivedTextInert(format: WebhookFormat) throws {
        let text = String(
            decoding: try WebhookSamples.request(format, Self.alert(userAgent: Self.hostile)).body, as: UTF8.self)
        for markup in ["<!channel>", "<@all>", "<at id=all>", "[click](", "`code`", "\\n### Fake"] {
            #expect(!text.contains(markup), "\(format) lets \(markup) through")
        }
        #expect(text.contains("click"), "the value is still readable")
    }

    @Test func jsonEscapesControlCharacters() {
        let json = WebhookJSON.object([("a", .string("q\"b\\n\n\t\u{01}/é"))]).serialized()
        #expect(String(decoding: json, as: UTF8.self) == #"{"a":"q\"b\\n\n\t\u0001/é"}"#)
    }
}
