import AlibabaCloud
import Foundation
import Testing

/// Digests, encodings, timestamps, endpoints: the building blocks every signature depends on.
@Suite struct PrimitivesTests {
    @Test func sha256MatchesFIPSVector() {
        #expect(Digest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256Hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256(Array("abc".utf8)).count == 32)
    }

    @Test func hmacsMatchRFCVectors() {
        let data = Array("what do ya want for nothing?".utf8)
        // RFC 4231 test case 2.
        #expect(
            Digest.hex(Digest.hmacSHA256(key: Array("Jefe".utf8), data: data))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // RFC 2202 test case 2.
        #expect(
            Digest.hex(Digest.hmacSHA1(key: Array("Jefe".utf8), data: data))
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    @Test func base64RoundTripsAndRejectsTruncation() {
        #expect(Digest.base64(Array("user,<root>\n".utf8)) == "dXNlciw8cm9vdD4K")
        #expect(Digest.base64Decode("dXNlciw8cm9vdD4K") == Array("user,<root>\n".utf8))
        #expect(Digest.base64Decode("dXNlciw8cm9vdD4") == nil)
        #expect(Digest.base64Decode("dXNl*iw8") == nil)
        #expect(Digest.base64Decode("") == [])
    }

    @Test func randomBytesDiffer() {
        let a = Digest.randomBytes(16)
        #expect(a.count == 16)
        #expect(a != Digest.randomBytes(16))
        let nonce = RPCClient.randomNonce()
        #expect(nonce.count == 32)
        #expect(nonce.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test(arguments: [
        ("a b", "a%20b"), ("*", "%2A"), ("~", "~"), ("+", "%2B"), ("/", "%2F"), ("=", "%3D"), (":", "%3A"),
        ("AZaz09-_.", "AZaz09-_."), ("é", "%C3%A9"), ("&", "%26"),
    ])
    func percentEncodingFollowsRFC3986(input: String, expected: String) {
        #expect(PercentEncoding.encode(input) == expected)
        #expect(PercentEncoding.decode(expected) == input)
    }

    @Test func percentDecodingRejectsBrokenEscapes() {
        #expect(PercentEncoding.decode("%2") == nil)
        #expect(PercentEncoding.decode("%zz") == nil)
        #expect(PercentEncoding.decode("a+b") == "a+b")
    }

    @Test func canonicalQuerySortsByEncodedNameInByteOrder() {
        #expect(PercentEncoding.canonicalQuery(["b": "1", "B": "2", "a": "", "a.b": "x y"]) == "B=2&a=&a.b=x%20y&b=1")
    }

    @Test func timestampsFormatAndParse() {
        let date = Date(timeIntervalSince1970: 1_735_787_045)
        #expect(UTCTimestamp.format(date) == "2025-01-02T03:04:05Z")
        #expect(UTCTimestamp.parse("2025-01-02T03:04:05Z") == date)
        #expect(UTCTimestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
        #expect(UTCTimestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(UTCTimestamp.parse("2025-01-02T03:04:05.123Z") == date)
        #expect(UTCTimestamp.parse("2025-01-02 03:04:05Z") == nil)
        #expect(UTCTimestamp.parse("2025-13-02T03:04:05Z") == nil)
        #expect(UTCTimestamp.parse("2025-01-02T03:04:05+08:00") == nil)
    }

    @Test func endpointsKeepSchemeAndPort() throws {
        let local = try Endpoint("http://127.0.0.1:8123/")
        #expect(local.scheme == "http")
        #expect(local.authority == "127.0.0.1:8123")
        #expect(local.baseURL == "http://127.0.0.1:8123")
        #expect(try Endpoint("HTTPS://ims.aliyuncs.com").authority == "ims.aliyuncs.com")
        #expect(throws: Endpoint.InvalidEndpoint.self) { try Endpoint("ims.aliyuncs.com") }
        #expect(throws: Endpoint.InvalidEndpoint.self) { try Endpoint("https://ims.aliyuncs.com/v1") }
        #expect(throws: Endpoint.InvalidEndpoint.self) { try Endpoint("https://user@ims.aliyuncs.com") }
        #expect(throws: Endpoint.InvalidEndpoint.self) { try Endpoint("https://") }
    }

    @Test func regionTemplateIsExpanded() throws {
        let url = Endpoint.expand(Endpoint.defaultActionTrail, region: "cn-hangzhou")
        #expect(url == "https://actiontrail.cn-hangzhou.aliyuncs.com")
        #expect(try Endpoint(url).authority == "actiontrail.cn-hangzhou.aliyuncs.com")
        #expect(Endpoint.expand("http://127.0.0.1:9000", region: "cn-hangzhou") == "http://127.0.0.1:9000")
    }

    @Test func credentialDescriptionNeverShowsTheSecret() {
        let key = AccessKeyCredential(accessKeyID: "LTAI5tABCDabcd", accessKeySecret: "s3cr3t", securityToken: "tok")
        #expect(key.description == "AccessKey(LTAI****abcd, sts)")
        #expect(!key.description.contains("s3cr3t"))
    }
}
