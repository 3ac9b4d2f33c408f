import AlibabaCloud
import Foundation
import RootwatchCore
import Testing

/// What each platform's answers mean for delivery: status × body → verdict, one row per documented
/// case (webhooks.md §1.4, §2.4, §3.4, §4.2, §5.3, §6.2, §8).
@Suite struct WebhookVerdictTests {
    /// The class of a verdict, with the wait of a retry, for compact tables.
    enum Expected: Equatable, CustomStringConvertible {
        case delivered
        case retry(Duration?)
        case permanent

        var description: String {
            switch self {
            case .delivered: "delivered"
            case .retry(let after): "retry(\(after.map { "\($0)" } ?? "nil"))"
            case .permanent: "permanent"
            }
        }
    }

    static func classify(_ verdict: DeliveryVerdict) -> Expected {
        switch verdict {
        case .delivered: .delivered
        case .retry(_, let after): .retry(after)
        case .permanent: .permanent
        }
    }

    static func reason(_ verdict: DeliveryVerdict) -> String {
        switch verdict {
        case .delivered: ""
        case .retry(let reason, _), .permanent(let reason): reason
        }
    }

    typealias Row = (status: Int, body: String, headers: [String], expected: Expected)

    private func check(_ format: WebhookFormat, _ rows: [Row]) {
        let renderer = WebhookSamples.renderer(format)
        for row in rows {
            let headers = row.headers.map { line -> (name: String, value: String) in
                let parts = line.split(separator: ":", maxSplits: 1)
                return (String(parts[0]), String(parts[1]).trimmingCharacters(in: .whitespaces))
            }
            let verdict = renderer.verdict(for: response(row.status, row.body, headers: headers))
            #expect(Self.classify(verdict) == row.expected, "\(format) \(row.status) \(row.body) → \(verdict)")
            if case .permanent(let reason) = verdict { #expect(!reason.isEmpty) }
        }
    }

    @Test func standard() {
        check(
            .standard,
            [
                (200, "", [], .delivered),
                (202, "queued", [], .delivered),
                (204, "", [], .delivered),
                (301, "", ["Location: https://elsewhere.example/x"], .permanent),
                (400, "bad", [], .permanent),
                (401, "", [], .permanent),
                (404, "", [], .permanent),
                (410, "", [], .permanent),
                (408, "", [], .retry(nil)),
                (429, "", ["Retry-After: 30"], .retry(.seconds(30))),
                (429, "", [], .retry(nil)),
                (500, "", [], .retry(nil)),
                (502, "", ["Retry-After: 7"], .retry(.seconds(7))),
                (
                    503, "", ["Retry-After: Sun, 06 Nov 1994 08:50:37 GMT", "Date: Sun, 06 Nov 1994 08:49:37 GMT"],
                    .retry(.seconds(60))
                ),
                (504, "", ["Retry-After: soon"], .retry(nil)),
            ])
    }

    @Test func dingTalk() {
        check(
            .dingtalk,
            [
                (200, #"{"errcode":0,"errmsg":"ok"}"#, [], .delivered),
                (200, #"{"errcode":410100,"errmsg":"发送速度太快而限流"}"#, [], .retry(.seconds(600))),
                (
                    200, #"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#, [],
                    .retry(.seconds(600))
                ),
                (200, #"{"errcode":130101,"errmsg":"x"}"#, ["Retry-After: 900"], .retry(.seconds(900))),
                (200, #"{"errcode":-1,"errmsg":"系统繁忙"}"#, [], .retry(nil)),
                (200, #"{"errcode":310000,"errmsg":"sign not match"}"#, [], .permanent),
                (200, #"{"errcode":310000,"errmsg":"keywords not in content"}"#, [], .permanent),
                (200, #"{"errcode":300005,"errmsg":"token is not exist"}"#, [], .permanent),
                (200, #"{"errcode":400102,"errmsg":"机器人已停用"}"#, [], .permanent),
                (200, #"{"errcode":460101,"errmsg":"body 大小不合法"}"#, [], .permanent),
                (200, #"{"errcode":43004,"errmsg":"需要POST请求"}"#, [], .permanent),
                (200, "<html>gateway</html>", [], .retry(nil)),
                (200, "", [], .retry(nil)),
                (502, "", [], .retry(nil)),
                (404, "", [], .permanent),
            ])
    }

    @Test func dingTalkReasonsNameTheErrmsgAndTheFix() {
        let renderer = WebhookSamples.renderer(.dingtalk)
        let sign = renderer.verdict(for: response(200, #"{"errcode":310000,"errmsg":"sign not match"}"#))
        #expect(
            sign
                == .permanent(
                    reason:
                        "DingTalk refused the message, errcode 310000 (sign not match): check the signing secret (the SEC… value of the robot's 加签 setting)"
                ))
        let clock = renderer.verdict(for: response(200, #"{"errcode":310000,"errmsg":"invalid timestamp"}"#))
        #expect(Self.reason(clock).contains("clock"))
        let keyword = renderer.verdict(for: response(200, #"{"errcode":310000,"errmsg":"keywords not in content"}"#))
        #expect(Self.reason(keyword).contains("keyword rootwatchd"))
    }

    @Test func lark() {
        check(
            .lark,
            [
                (
                    200, #"{"code":0,"msg":"success","data":{},"Extra":null,"StatusCode":0,"StatusMessage":"success"}"#,
                    [], .delivered
                ),
                (200, #"{"Extra":null,"StatusCode":0,"StatusMessage":"success"}"#, [], .delivered),
                (
                    200, #"{"code":11232,"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]"}"#,
                    [], .retry(nil)
                ),
                (
                    200,
                    #"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#,
                    [], .permanent
                ),
                (200, #"{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}"#, [], .permanent),
                (200, #"{"code":19022,"msg":"Ip Not Allowed"}"#, [], .permanent),
                (200, #"{"code":19024,"msg":"Key Words Not Found"}"#, [], .permanent),
                (400, #"{"code":9499,"msg":"Bad Request"}"#, [], .permanent),
                (200, "not json", [], .retry(nil)),
                (429, "", ["Retry-After: 3"], .retry(.seconds(3))),
                (500, #"{"code":0}"#, [], .retry(nil)),
                (404, "", [], .permanent),
            ])
    }

    @Test func slack() {
        check(
            .slack,
            [
                (200, "ok", [], .delivered),
                (200, "ok\n", [], .delivered),
                (200, "", [], .retry(nil)),
                (400, "invalid_payload", [], .permanent),
                (400, "no_text", [], .permanent),
                (403, "action_prohibited", [], .permanent),
                (404, "channel_not_found", [], .permanent),
                (410, "channel_is_archived", [], .permanent),
                (429, "", ["Retry-After: 12"], .retry(.seconds(12))),
                (500, "rollup_error", [], .retry(nil)),
            ])
    }

    @Test func slackReasonCarriesTheErrorString() {
        let verdict = WebhookSamples.renderer(.slack).verdict(for: response(410, "channel_is_archived"))
        #expect(Self.reason(verdict).contains("channel_is_archived"))
        #expect(Self.reason(verdict).contains("HTTP 410"))
    }

    @Test func teams() {
        check(
            .teams,
            [
                (202, "", [], .delivered),
                (200, "1", [], .delivered),
                (400, "", [], .permanent),
                (401, "", [], .permanent),
                (404, "", [], .permanent),
                (413, "Request Entity too large", [], .permanent),
                (429, "", ["Retry-After: 20"], .retry(.seconds(20))),
                (503, "", [], .retry(nil)),
            ])
    }

    @Test func weCom() {
        check(
            .wecom,
            [
                (200, #"{"errcode":0,"errmsg":"ok"}"#, [], .delivered),
                (200, #"{"errcode":45009,"errmsg":"api freq out of limit"}"#, [], .retry(.seconds(60))),
                (200, #"{"errcode":-1,"errmsg":"system busy"}"#, [], .retry(nil)),
                (
                    200, #"{"errcode":93000,"errmsg":"invalid webhook url, hint: [1699], from ip: 203.0.113.9"}"#, [],
                    .permanent
                ),
                (200, #"{"errcode":40123,"errmsg":"invalid image"}"#, [], .permanent),
                (200, "", [], .retry(nil)),
                (503, "", [], .retry(nil)),
            ])
    }

    @Test func reasonsNeverShowTokensOrSecrets() {
        let dingTalkURL = WebhookSamples.urls[.dingtalk]!
        let echo =
            #"{"errcode":310000,"errmsg":"sign not match for \#(dingTalkURL) secret \#(WebhookSamples.dingTalkSecret)"}"#
        let reason = Self.reason(WebhookSamples.renderer(.dingtalk).verdict(for: response(200, echo)))
        #expect(!reason.contains("0123456789abcdef0123456789abcdef"))
        #expect(!reason.contains(WebhookSamples.dingTalkSecret))
        #expect(reason.contains("access_token=****"))

        let slackURL = WebhookSamples.urls[.slack]!
        let slack = Self.reason(WebhookSamples.renderer(.slack).verdict(for: response(404, "no_service \(slackURL)")))
        #expect(!slack.contains("XXXXXXXXXXXXXXXXXXXXXXXX"))

        let redirect = Self.reason(
            WebhookSamples.renderer(.teams).verdict(
                for: response(302, "", headers: [("Location", "https://login.example.com/x?sig=abcdefabcdefabcdef")])))
        #expect(redirect.contains("sig=****") && !redirect.contains("abcdefabcdefabcdef"))
    }

    @Test func reasonsAreOneShortLine() {
        let huge = String(repeating: "error ", count: 2_000) + "\nsecond line"
        let reason = Self.reason(WebhookSamples.renderer(.standard).verdict(for: response(400, huge)))
        #expect(!reason.contains("\n"))
        #expect(reason.utf8.count < 400)
    }

    @Test func httpDateIsMeasuredFromReceivedAtWithoutADateHeader() {
        let renderer = WebhookSamples.renderer(.standard)
        let answer = response(503, "", headers: [("Retry-After", "Wed, 01 Jan 2025 00:02:00 GMT")])
        #expect(
            Self.classify(renderer.verdict(for: answer, receivedAt: WebhookSamples.attempt)) == .retry(.seconds(120)))
        #expect(Self.classify(renderer.verdict(for: answer)) == .retry(nil))
    }
}
