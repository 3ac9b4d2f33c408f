import AlibabaCloud
import Foundation
import RootwatchCore
import Testing

/// Every signing vector of webhooks.md §9, through the functions the renderers use.
@Suite struct WebhookSigningTests {
    private static let key1b = Array(UInt8(0x00)...UInt8(0x1f))

    @Test func standardOfficialLibraryVector1a() throws {
        let key = try WebhookSigning.standardKey(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = WebhookSigning.standardSignature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8),
            keys: [key])
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func standardKeyIsTheBase64DecodedSecret() throws {
        #expect(try WebhookSigning.standardKey(secret: WebhookSamples.standardSecret) == Self.key1b)
        // The prefix is optional and missing padding is tolerated, as in the official library.
        #expect(try WebhookSigning.standardKey(secret: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8") == Self.key1b)
    }

    @Test(arguments: ["whsec_", "whsec_not base64!", "whsec_A"])
    func standardKeyRejectsNonBase64Secrets(secret: String) {
        #expect(throws: WebhookRenderError.self) { try WebhookSigning.standardKey(secret: secret) }
    }

    @Test func standardRootwatchdVector1b() throws {
        let body = try FixtureFiles.bytes("webhooks/vector-1b-body.json")
        #expect(body.count == 345)
        #expect(Digest.sha256Hex(body) == "b5ff8590f4bc207b8dba4343e3f9255c71c1fc27e6c640f65b938c6bbbbbedb9")
        let signature = WebhookSigning.standardSignature(
            id: "msg_rw_5f2c1e9a7b3d4c60", timestamp: 1_735_689_600, body: body, keys: [Self.key1b])
        #expect(signature == "v1,zr0VbQz0ZaT1ENOVA8e6yX5R0IXpsD39hfVkbeM3aCc=")
    }

    @Test func standardRotationVector1c() throws {
        let body = try FixtureFiles.bytes("webhooks/vector-1b-body.json")
        let old = try WebhookSigning.standardKey(secret: "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=")
        #expect(old == Array(UInt8(0x20)...UInt8(0x3f)))
        let header = WebhookSigning.standardSignature(
            id: "msg_rw_5f2c1e9a7b3d4c60", timestamp: 1_735_689_600, body: body, keys: [Self.key1b, old])
        #expect(
            header
                == "v1,zr0VbQz0ZaT1ENOVA8e6yX5R0IXpsD39hfVkbeM3aCc= v1,4Mhsri4NNploVfvfmmTBJqareEbmHAn7il2Drdhsas0=")
    }

    @Test func standardNonASCIIVector1f() throws {
        let body = try FixtureFiles.bytes("webhooks/vector-1f-body.json")
        #expect(String(decoding: body, as: UTF8.self).contains("主账号登录"))
        let signature = WebhookSigning.standardSignature(
            id: "msg_rw_5f2c1e9a7b3d4c60", timestamp: 1_735_689_600, body: body, keys: [Self.key1b])
        #expect(signature == "v1,8+OJzqNgtdvNDNTMNBRWux+KjMdkmYufiojPb+Mu7NY=")
    }

    @Test func standardSignatureCoversEveryByte() throws {
        let body = try FixtureFiles.bytes("webhooks/vector-1b-body.json")
        let signature = WebhookSigning.standardSignature(
            id: "msg_rw_5f2c1e9a7b3d4c60", timestamp: 1_735_689_600, body: body + [0x20], keys: [Self.key1b])
        #expect(signature != "v1,zr0VbQz0ZaT1ENOVA8e6yX5R0IXpsD39hfVkbeM3aCc=")
    }

    @Test(arguments: [
        (
            WebhookSamples.dingTalkSecret, Int64(1_735_689_600_000), "HHFFYH7lGRFOPyRi68lvzxhkd2phffG34ExwwCJQSxo=",
            "HHFFYH7lGRFOPyRi68lvzxhkd2phffG34ExwwCJQSxo%3D"
        ),
        (
            "this is secret", Int64(1_577_262_236_757), "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=",
            "hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D"
        ),
    ])
    func dingTalkVectors2aAnd2b(secret: String, milliseconds: Int64, raw: String, encodedOnce: String) {
        #expect(WebhookSigning.dingTalkSignature(secret: secret, timestampMilliseconds: milliseconds) == raw)
        let query = WebhookSigning.dingTalkQuery(secret: secret, timestampMilliseconds: milliseconds)
        #expect(query == "timestamp=\(milliseconds)&sign=\(encodedOnce)")
        // Neither the raw `+` (read as a space) nor a second encoding (`%253D`) may reach the URL.
        #expect(!query.contains("+") && !query.contains("%25"))
    }

    @Test func dingTalkFullURLVector2a() throws {
        let request = try WebhookSamples.request(.dingtalk)
        #expect(
            request.url
                == "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef0123456789abcdef"
                + "0123456789abcdef&timestamp=1735689600000&sign=HHFFYH7lGRFOPyRi68lvzxhkd2phffG34ExwwCJQSxo%3D")
    }

    @Test func larkVector3a() {
        #expect(
            WebhookSigning.larkSignature(secret: WebhookSamples.larkSecret, timestampSeconds: 1_735_689_600)
                == "bHUkvNxp6imgh2JDlnchJEmEDkiFxil6kv9B3QH8h2U=")
    }

    @Test func larkDiffersFromTheDingTalkArrangement() {
        // The vector's WRONG value: key = secret, message = "ts\nsecret" (DingTalk's recipe).
        let wrong = Digest.base64(
            Digest.hmacSHA256(
                key: Array(WebhookSamples.larkSecret.utf8), data: Array("1735689600\n\(WebhookSamples.larkSecret)".utf8)
            ))
        #expect(wrong == "niVrU0keHWqnuvAqwqmPSXJePMjRNMRYbcDvSBJyttw=")
        #expect(
            WebhookSigning.larkSignature(secret: WebhookSamples.larkSecret, timestampSeconds: 1_735_689_600) != wrong)
    }

    @Test func timeUnits() {
        let date = Date(timeIntervalSince1970: 1_735_689_600.9876)
        #expect(WebhookSigning.seconds(date) == 1_735_689_600)
        #expect(WebhookSigning.milliseconds(date) == 1_735_689_600_987)
    }
}
