import AlibabaCloud
import Foundation
import Testing

/// The V3 (ACS3-HMAC-SHA256) vectors of alibaba-api.md §3.3, computed with the official SDK helpers.
@Suite struct SignerV3Tests {
    static let date = UTCTimestamp.parse("2025-01-02T03:04:05Z")!
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let key = AccessKeyCredential(accessKeyID: "testid", accessKeySecret: "testsecret")

    @Test func v3AOfficialExample() {
        let headers: [(name: String, value: String)] = [
            ("host", "ecs.cn-shanghai.aliyuncs.com"), ("x-acs-action", "RunInstances"),
            ("x-acs-version", "2014-05-26"), ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"), ("x-acs-content-sha256", Self.emptyHash),
        ]
        let signed = SignerV3.sign(
            method: "POST",
            query: ["ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"],
            headers: headers, body: [],
            credential: AccessKeyCredential(accessKeyID: "YourAccessKeyId", accessKeySecret: "YourAccessKeySecret")
        )
        #expect(signed.hashedCanonicalRequest == "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259")
        #expect(signed.signature == "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0")
        #expect(
            signed.authorization
                == "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        )
    }

    @Test func v3BGenerateCredentialReport() {
        let headers = SignerV3.requestHeaders(
            host: "ims.aliyuncs.com", action: "GenerateCredentialReport", version: "2019-08-15", date: Self.date,
            nonce: "c0ffee00c0ffee00c0ffee00c0ffee00", body: [], credential: Self.key)
        let signed = SignerV3.sign(method: "POST", query: [:], headers: headers, body: [], credential: Self.key)
        let expected = """
            POST
            /

            host:ims.aliyuncs.com
            x-acs-action:GenerateCredentialReport
            x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-acs-date:2025-01-02T03:04:05Z
            x-acs-signature-nonce:c0ffee00c0ffee00c0ffee00c0ffee00
            x-acs-version:2019-08-15

            host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """
        #expect(signed.canonicalRequest == expected)
        #expect(signed.canonicalQueryString == "")
        #expect(signed.hashedCanonicalRequest == "36ea261b27e32a7780b0486ff4b80f8a7b9d2d3cc0792b8816a1dc8f987078bd")
        #expect(
            signed.stringToSign == "ACS3-HMAC-SHA256\n36ea261b27e32a7780b0486ff4b80f8a7b9d2d3cc0792b8816a1dc8f987078bd")
        #expect(signed.signature == "0f6b9a7f9368b8a8f19be17e5b7b486f5e0e07e38425e95298e9ceda83496014")
    }

    @Test func v3CSecurityTokenAndReservedCharacters() {
        // The vector signs the token header alone, as the vendor's procedure lists it.
        let sts = AccessKeyCredential(
            accessKeyID: "STS.testid", accessKeySecret: "testsecret", securityToken: "CAIS/tok+en=")
        let headers: [(name: String, value: String)] = [
            ("host", "ims.aliyuncs.com"), ("x-acs-action", "GetCredentialReport"), ("x-acs-version", "2019-08-15"),
            ("x-acs-date", "2025-01-02T03:04:05Z"), ("x-acs-signature-nonce", "c0ffee00c0ffee00c0ffee00c0ffee01"),
            ("x-acs-content-sha256", Self.emptyHash), ("x-acs-security-token", "CAIS/tok+en="),
        ]
        let signed = SignerV3.sign(
            method: "POST", query: ["MaxItems": "1000", "NextToken": "a b+c/d=e*f~g"], headers: headers, body: [],
            credential: sts)
        #expect(signed.canonicalQueryString == "MaxItems=1000&NextToken=a%20b%2Bc%2Fd%3De%2Af~g")
        #expect(
            signed.signedHeaders
                == "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version"
        )
        #expect(signed.hashedCanonicalRequest == "c7e25cbc673ca07123f83ec3a6a0235cfab1cb6bf525aa9c3888399ddd1c6832")
        #expect(signed.signature == "6b3c791350ba4ae61e59bdfbdc3ab20068bd0f97db3b14e14bd1bfe1357c4879")
    }

    @Test func v3DLookupEvents() {
        let headers = SignerV3.requestHeaders(
            host: "actiontrail.cn-hangzhou.aliyuncs.com", action: "LookupEvents", version: "2020-07-06",
            date: Self.date, nonce: "c0ffee00c0ffee00c0ffee00c0ffee02", body: [], credential: Self.key)
        let signed = SignerV3.sign(
            method: "POST",
            query: [
                "LookupAttribute.1.Key": "EventName", "LookupAttribute.1.Value": "ConsoleSignin", "MaxResults": "50",
                "StartTime": "2025-01-01T00:00:00Z", "EndTime": "2025-01-02T00:00:00Z",
            ],
            headers: headers, body: [], credential: Self.key)
        #expect(
            signed.canonicalQueryString
                == "EndTime=2025-01-02T00%3A00%3A00Z&LookupAttribute.1.Key=EventName&LookupAttribute.1.Value=ConsoleSignin&MaxResults=50&StartTime=2025-01-01T00%3A00%3A00Z"
        )
        #expect(signed.hashedCanonicalRequest == "7faa8a1b337b827bc58d922af90f33077049e3a9f7d3e172ba8c1b7fda44db92")
        #expect(signed.signature == "4b54f935032fefc62be04dcd5c705d7fc71acd59d6ea3ae53bc3b4c90a60a870")
    }

    @Test func stsHeadersAreAddedAndSigned() {
        let sts = AccessKeyCredential(accessKeyID: "STS.testid", accessKeySecret: "testsecret", securityToken: "tok")
        let headers = SignerV3.requestHeaders(
            host: "127.0.0.1:8123", action: "GetCallerIdentity", version: "2015-04-01", date: Self.date, nonce: "n",
            body: [], credential: sts, contentType: "application/json")
        let signed = SignerV3.sign(method: "POST", query: [:], headers: headers, body: [], credential: sts)
        #expect(
            signed.signedHeaders
                == "content-type;host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version"
        )
        #expect(signed.canonicalHeaders.contains("host:127.0.0.1:8123\n"))
    }

    @Test func headersOutsideTheSignedSetAreIgnoredAndValuesTrimmed() {
        let base: [(name: String, value: String)] = [("host", "h"), ("x-acs-action", "A")]
        let noisy = base + [("User-Agent", "x"), ("Accept", "application/json")]
        let a = SignerV3.sign(method: "POST", query: [:], headers: base, body: [], credential: Self.key)
        let b = SignerV3.sign(method: "POST", query: [:], headers: noisy, body: [], credential: Self.key)
        let c = SignerV3.sign(
            method: "POST", query: [:], headers: [("Host", " h "), ("X-Acs-Action", "A\t")], body: [],
            credential: Self.key)
        #expect(a.signature == b.signature)
        #expect(a.signature == c.signature)
        #expect(a.signedHeaders == "host;x-acs-action")
    }
}
