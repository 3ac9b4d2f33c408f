import AlibabaCloud
import Testing

/// Free-form JSON: the lenient accessors the API clients rely on.
@Suite struct JSONValueTests {
    @Test func parsesAnActionTrailEvent() throws {
        let text = """
            {"eventId": "2546c4b7", "eventVersion": 1, "isGlobal": true, "x": null,
             "userIdentity": {"type": "root-account", "accountId": "151266687691****"},
             "additionalEventData": {"isMFAChecked": "false"}, "tags": ["a", 2.5]}
            """
        let event = try JSONValue.parse(Array(text.utf8))
        #expect(event["eventId"]?.stringValue == "2546c4b7")
        #expect(event["eventVersion"]?.intValue == 1)
        #expect(event["isGlobal"] == .bool(true))
        #expect(event["x"]?.isNull == true)
        #expect(event[path: "userIdentity", "type"]?.stringValue == "root-account")
        #expect(event[path: "additionalEventData", "isMFAChecked"]?.boolValue == false)
        #expect(event["tags"]?[1]?.doubleValue == 2.5)
        #expect(event["tags"]?[2] == nil)
        #expect(event["missing"] == nil)
        #expect(event["eventId"]?["nested"] == nil)
    }

    @Test func booleansMayBeStrings() {
        #expect(JSONValue.string("true").boolValue == true)
        #expect(JSONValue.string("TRUE").boolValue == true)
        #expect(JSONValue.string("false").boolValue == false)
        #expect(JSONValue.string("yes").boolValue == nil)
        #expect(JSONValue.number(1).boolValue == nil)
    }

    @Test func rejectsInvalidJSON() {
        #expect(throws: (any Error).self) { try JSONValue.parse(Array("<html>".utf8)) }
        #expect(throws: (any Error).self) { try JSONValue.parse(Array("{\"a\":".utf8)) }
    }
}

@Suite struct JSONStreamedDocumentTests {
    @Test func aStreamedDocumentIsValidJSONWithOneElementPerLine() throws {
        let text = JSONValue.streamedDocument(
            ["b": 1, "a": "x\"y"], streamedKey: "items", count: 3
        ) { index in ["n": .number(Double(index)), "s": .string(index == 1 ? nil : "v\(index)")] }
        let parsed = try JSONValue.parse(Array(text.utf8))
        #expect(parsed["a"]?.stringValue == "x\"y")
        #expect(parsed["items"]?[1]?["s"] == .null)
        #expect(parsed["items"]?[2]?["n"] == .number(2))
        #expect(text.split(separator: "\n").count == 5)  // header, three elements, closing
        let empty = JSONValue.streamedDocument([:], streamedKey: "items", count: 0) { _ in .null }
        #expect(empty == "{\"items\":[]}")
    }
}
