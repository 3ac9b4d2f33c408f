import AlibabaCloud
import Foundation
import RootwatchCore
import Testing

/// Requests as the outbox sends them: method, URL, headers, and signatures computed per attempt.
@Suite struct WebhookRequestTests {
    @Test func standardHeadersFollowTheSpecification() throws {
        let alert = WebhookSamples.logon
        let request = try WebhookSamples.request(.standard, alert)
        #expect(request.method == "POST")
        #expect(request.url == WebhookSamples.urls[.standard])
        #expect(request.header("content-type") == "application/json")
        #expect(request.header("webhook-id") == alert.id)
        #expect(request.header("webhook-timestamp") == "1735689600")
        // Recompute independently: HMAC over "id.ts.body" with the base64-decoded key.
        let key = Array(UInt8(0x00)...UInt8(0x1f))
        let expected = Digest.base64(
            Digest.hmacSHA256(key: key, data: Array("\(alert.id).1735689600.".utf8) + request.body))
        #expect(request.header("webhook-signature") == "v1,\(expected)")
    }

    @Test func standardNeedsAUsableSecret() {
        var configuration = WebhookSamples.configuration(.standard)
        configuration.secret = nil
        let unsigned = WebhookRenderers.renderer(for: configuration, context: WebhookSamples.context)
        #expect(throws: WebhookRenderError.self) {
            try unsigned.request(for: WebhookSamples.logon, attemptTime: WebhookSamples.attempt)
        }
        configuration.secret = Secret("whsec_%%%")
        let broken = WebhookRenderers.renderer(for: configuration, context: WebhookSamples.context)
        do {
            _ = try broken.request(for: WebhookSamples.logon, attemptTime: WebhookSamples.attempt)
            Issue.record("a non-base64 secret was accepted")
        } catch {
            #expect(!error.reason.contains("%%%"), "the reason must not show the secret")
        }
    }

    @Test func standardRejectsAnIdWithADot() {
        var alert = WebhookSamples.logon
        alert.id = "abc.def"
        #expect(throws: WebhookRenderError.self) {
            try WebhookSamples.renderer(.standard).request(for: alert, attemptTime: WebhookSamples.attempt)
        }
    }

    @Test func standardSignsEachAttemptAnewOverTheSameBody() throws {
        let first = try WebhookSamples.request(.standard)
        let second = try WebhookSamples.request(.standard, at: WebhookSamples.attempt.addingTimeInterval(5.7))
        #expect(first.body == second.body)
        #expect(first.header("webhook-id") == second.header("webhook-id"))
        #expect(second.header("webhook-timestamp") == "1735689605")
        #expect(first.header("webhook-signature") != second.header("webhook-signature"))
    }

    @Test func dingTalkSignsEachAttemptInTheURLOnly() throws {
        let first = try WebhookSamples.request(.dingtalk)
        let second = try WebhookSamples.request(.dingtalk, at: WebhookSamples.attempt.addingTimeInterval(61))
        #expect(first.body == second.body)
        #expect(second.url.contains("&timestamp=1735689661000&sign="))
        #expect(first.url != second.url)
        #expect(first.header("content-type") == "application/json;charset=utf-8")
    }

    @Test func dingTalkWithoutSecretSendsTheURLAsConfigured() throws {
        let request = try WebhookSamples.renderer(.dingtalk, signed: false).request(
            for: WebhookSamples.logon, attemptTime: WebhookSamples.attempt)
        #expect(request.url == WebhookSamples.urls[.dingtalk])
    }

    @Test func dingTalkAppendsToAURLWithoutQuery() throws {
        var configuration = WebhookSamples.configuration(.dingtalk)
        configuration.url = "http://127.0.0.1:8080/robot/send"
        let request = try WebhookDingTalkRenderer(configuration: configuration, context: WebhookSamples.context)
            .request(for: WebhookSamples.logon, attemptTime: WebhookSamples.attempt)
        #expect(request.url.hasPrefix("http://127.0.0.1:8080/robot/send?timestamp=1735689600000&sign="))
    }

    @Test func larkSignsEachAttemptInTheBodyAndKeepsTheCard() throws {
        let first = try parsedJSON(try WebhookSamples.request(.lark).body)
        let second = try parsedJSON(
            try WebhookSamples.request(.lark, at: WebhookSamples.attempt.addingTimeInterval(30)).body)
        #expect(first["timestamp"]?.stringValue == "1735689600")
        #expect(first["sign"]?.stringValue == "bHUkvNxp6imgh2JDlnchJEmEDkiFxil6kv9B3QH8h2U=")
        #expect(second["timestamp"]?.stringValue == "1735689630")
        #expect(second["sign"] != first["sign"])
        #expect(first["card"] == second["card"])
    }

    @Test func larkWithoutSecretHasNoSignatureMembers() throws {
        let body = try parsedJSON(
            try WebhookSamples.renderer(.lark, signed: false).request(
                for: WebhookSamples.logon, attemptTime: WebhookSamples.attempt
            ).body)
        #expect(body["timestamp"] == nil && body["sign"] == nil)
        #expect(body["msg_type"]?.stringValue == "interactive")
    }

    @Test(arguments: WebhookFormat.allCases)
    func everyFormatPostsJSONToTheConfiguredAddress(format: WebhookFormat) throws {
        var configuration = WebhookSamples.configuration(format)
        configuration.caFile = "/etc/rootwatchd/ca.pem"
        let renderer = WebhookRenderers.renderer(for: configuration, context: WebhookSamples.context)
        let request = try renderer.request(for: WebhookSamples.logon, attemptTime: WebhookSamples.attempt)
        #expect(request.method == "POST")
        #expect(request.url.hasPrefix(configuration.url))
        #expect(request.header("content-type")?.hasPrefix("application/json") == true)
        #expect(request.caFile == "/etc/rootwatchd/ca.pem")
        #expect(try parsedJSON(request.body) != .null)
        // The alert id is in every payload, so a person can find the journal entry.
        #expect(String(decoding: request.body, as: UTF8.self).contains(WebhookSamples.logon.id))
    }

    @Test(arguments: [WebhookFormat.dingtalk, .lark, .standard])
    func noSecretInAnyBody(format: WebhookFormat) throws {
        let request = try WebhookSamples.request(format)
        let secret = try #require(WebhookSamples.configuration(format).secret).revealed
        #expect(!String(decoding: request.body, as: UTF8.self).contains(secret))
        #expect(!request.url.contains(secret))
    }
}
