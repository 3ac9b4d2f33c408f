import AlibabaCloud
import Foundation
import RootwatchCore
import Testing

/// The rendered body of each format for fixed alerts, compared byte for byte with the golden files in
/// `Fixtures/webhooks/`, plus the documented shape of each platform's JSON.
///
/// To change a format deliberately: `ROOTWATCHD_WRITE_GOLDEN=1 swift test --filter WebhookGoldenTests`,
/// then review the diff of the fixture files.
@Suite struct WebhookGoldenTests {
    static let cases: [(WebhookFormat, String, String)] = [
        (.standard, "logon", "standard-logon.json"),
        (.standard, "keyUsed", "standard-key-used.json"),
        (.dingtalk, "logon", "dingtalk-logon.json"),
        (.lark, "logon", "lark-logon.json"),
        (.slack, "logon", "slack-logon.json"),
        (.teams, "logon", "teams-logon.json"),
        (.wecom, "logon", "wecom-logon.json"),
        (.wecom, "keyUsed", "wecom-key-used.json"),
    ]

    @Test(arguments: cases)
    func bodyMatchesTheGoldenFile(format: WebhookFormat, alertName: String, file: String) throws {
        let alert = alertName == "logon" ? WebhookSamples.logon : WebhookSamples.keyUsed
        let body = try WebhookSamples.request(format, alert).body
        let path = FixtureFiles.directory.appendingPathComponent("webhooks/\(file)")
        if ProcessInfo.processInfo.environment["ROOTWATCHD_WRITE_GOLDEN"] == "1" {
            try Data(body).write(to: path)
        }
        let golden = try FixtureFiles.bytes("webhooks/\(file)")
        #expect(
            body == golden,
            "\(file) differs:\n\(String(decoding: body, as: UTF8.self))\n---\n\(String(decoding: golden, as: UTF8.self))"
        )
    }

    @Test func standardShapeFollowsTheProductContract() throws {
        let alert = WebhookSamples.keyUsed
        let json = try parsedJSON(try WebhookSamples.request(.standard, alert).body)
        #expect(json["type"]?.stringValue == "root-access-key-used")
        #expect(json["timestamp"]?.stringValue == "2026-12-04T08:01:30Z")
        let data = try #require(json["data"]?.objectValue)
        let expectedKeys: Set = [
            "id", "severity", "account", "account_id", "activity_time", "window", "source", "source_ip", "user_agent",
            "mfa_checked", "event_id", "key_slot", "report_time", "message", "host", "rootwatchd_version",
        ]
        #expect(Set(data.keys) == expectedKeys)
        #expect(data["id"]?.stringValue == alert.id)
        #expect(data["severity"]?.stringValue == "critical")
        #expect(data["key_slot"]?.stringValue == "access_key_2")
        #expect(data["report_time"]?.stringValue == "2026-12-04T08:00:00Z")
        #expect(data["source"]?.stringValue == "credential-report")
        // Unknown for this kind: null, not missing.
        for key in ["account_id", "source_ip", "user_agent", "mfa_checked", "event_id"] {
            #expect(data[key]?.isNull == true, "\(key)")
        }
        #expect(data["host"]?.stringValue == "bastion-01")
        #expect(data["rootwatchd_version"]?.stringValue == "0.1.0")
    }

    @Test func standardFieldOrderIsTypeTimestampData() throws {
        let text = String(decoding: try WebhookSamples.request(.standard).body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"type":"root-console-logon","timestamp":"2026-12-04T10:04:11Z","data":{"id":""#))
        #expect(text.hasSuffix(#""host":"bastion-01","rootwatchd_version":"0.1.0"}}"#))
    }

    @Test func dingTalkShape() throws {
        let json = try parsedJSON(try WebhookSamples.request(.dingtalk).body)
        #expect(json["msgtype"]?.stringValue == "markdown")
        let title = try #require(json[path: "markdown", "title"]?.stringValue)
        let text = try #require(json[path: "markdown", "text"]?.stringValue)
        #expect(title.contains("rootwatchd") && text.contains("rootwatchd"), "keyword security needs the word")
        #expect(json["msgUuid"]?.stringValue == WebhookSamples.logon.id)
        for fact in ["prod (1234567890123456)", "2026-12-04T10:00:03Z", "203.0.113.7", "**MFA at sign-in:** no", "7d"] {
            #expect(text.contains(fact), "\(fact)")
        }
        #expect(text.contains("**What to do**") && text.contains("change the root password"))
    }

    @Test func larkShape() throws {
        let json = try parsedJSON(try WebhookSamples.request(.lark).body)
        #expect(json["msg_type"]?.stringValue == "interactive")
        let card = try #require(json["card"])
        #expect(card[path: "header", "template"]?.stringValue == "red")
        #expect(card[path: "header", "title", "tag"]?.stringValue == "plain_text")
        let elements = try #require(card["elements"]?.arrayValue)
        #expect(elements.first?[path: "text", "tag"]?.stringValue == "lark_md")
        let note = try #require(elements.last)
        #expect(note["tag"]?.stringValue == "note")
        #expect(note["elements"]?[0]?["content"]?.stringValue?.contains(WebhookSamples.logon.id) == true)
    }

    @Test(arguments: [
        (FindingKind.rootConsoleLogon, "red"), (.rootMFADisabled, "orange"), (.accountRecovered, "green"),
        (.test, "blue"),
    ])
    func larkColourFollowsSeverity(kind: FindingKind, template: String) throws {
        let alert = Alert(
            kind: kind, account: "prod", accountID: nil, activityTime: time("2026-12-04T10:00:00Z"),
            detectedAt: time("2026-12-04T10:00:00Z"), window: "7d", source: .credentialReport)
        let json = try parsedJSON(try WebhookSamples.request(.lark, alert).body)
        #expect(json[path: "card", "header", "template"]?.stringValue == template)
    }

    @Test func slackShape() throws {
        let json = try parsedJSON(try WebhookSamples.request(.slack).body)
        #expect(json["text"]?.stringValue?.hasPrefix("[rootwatchd] Root console logon") == true)
        let blocks = try #require(json["blocks"]?.arrayValue)
        #expect(
            blocks.map { $0["type"]?.stringValue ?? "?" } == [
                "header", "section", "section", "section", "section", "context",
            ])
        #expect(blocks[0][path: "text", "type"]?.stringValue == "plain_text")
        let fieldSections = blocks.filter { $0["fields"] != nil }
        for section in fieldSections {
            #expect((section["fields"]?.arrayValue?.count ?? 0) <= 10)
        }
        let allFields = fieldSections.flatMap { $0["fields"]?.arrayValue ?? [] }
        #expect(allFields.contains { $0["text"]?.stringValue == "*Source IP*\n203.0.113.7" })
        let context = try #require(blocks.last?["elements"]?[0]?["text"]?.stringValue)
        #expect(context.contains(WebhookSamples.logon.id) && context.contains("bastion-01"))
    }

    @Test func teamsShape() throws {
        let json = try parsedJSON(try WebhookSamples.request(.teams).body)
        #expect(json.objectValue.map { Set($0.keys) } == ["type", "attachments"])
        #expect(json["type"]?.stringValue == "message")
        let attachment = try #require(json["attachments"]?[0])
        #expect(attachment["contentType"]?.stringValue == "application/vnd.microsoft.card.adaptive")
        #expect(attachment["contentUrl"]?.isNull == true)
        let card = try #require(attachment["content"])
        #expect(card["type"]?.stringValue == "AdaptiveCard")
        #expect(card["version"]?.stringValue == "1.4")
        let body = try #require(card["body"]?.arrayValue)
        let facts = try #require(body.first { $0["type"]?.stringValue == "FactSet" }?["facts"]?.arrayValue)
        #expect(facts.contains { $0["title"]?.stringValue == "Source IP" && $0["value"]?.stringValue == "203.0.113.7" })
        #expect(body.last?["text"]?.stringValue?.contains(WebhookSamples.logon.id) == true)
    }

    @Test func weComShape() throws {
        let json = try parsedJSON(try WebhookSamples.request(.wecom).body)
        #expect(json["msgtype"]?.stringValue == "markdown")
        let content = try #require(json[path: "markdown", "content"]?.stringValue)
        #expect(content.hasPrefix("### <font color=\"warning\">"))
        #expect(content.contains(WebhookSamples.logon.id))
        #expect(content.utf8.count <= 4096)
    }

    @Test(arguments: FindingKind.allCases)
    func everyKindSaysWhatToDo(kind: FindingKind) throws {
        let alert = Alert(
            kind: kind, account: "prod", accountID: "1234567890123456", activityTime: time("2026-12-04T10:00:00Z"),
            detectedAt: time("2026-12-04T10:01:00Z"), window: "7d", source: .credentialReport,
            keySlot: kind == .rootAccessKeyUsed || kind == .rootAccessKeyActive ? "access_key_1" : nil)
        let facts = WebhookFacts(alert: alert, context: WebhookSamples.context)
        #expect(!facts.advice.isEmpty)
        #expect(facts.title().hasPrefix("[rootwatchd] ") && facts.title().hasSuffix(" on prod"))
        let expected: String =
            switch kind {
            case .rootConsoleLogon: "root password"
            case .rootAccessKeyUsed: "delete the root AccessKey"
            case .rootMFADisabled: "Bind an MFA device"
            case .rootAccessKeyActive: "Delete the root AccessKey in access_key_1"
            case .accountStale: "journalctl -u rootwatchd ROOTWATCH_ACCOUNT=prod"
            case .accountRecovered: "scans succeed again"
            case .test: "reach this channel"
            }
        #expect(facts.advice.joined(separator: " ").contains(expected))
        // Every chat format shows the advice.
        for format in [WebhookFormat.dingtalk, .lark, .slack, .teams, .wecom] {
            let text = String(decoding: try WebhookSamples.request(format, alert).body, as: UTF8.self)
            #expect(text.contains("What to do"), "\(format)")
        }
    }
}
