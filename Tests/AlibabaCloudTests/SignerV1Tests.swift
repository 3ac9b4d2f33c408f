import AlibabaCloud
import Foundation
import Testing

/// The V1 (HMAC-SHA1) vectors of alibaba-api.md §3.3, computed with the official SDK helpers.
@Suite struct SignerV1Tests {
    static let date = UTCTimestamp.parse("2025-01-02T03:04:05Z")!
    static let key = AccessKeyCredential(accessKeyID: "testid", accessKeySecret: "testsecret")

    @Test func v1AOfficialExample() {
        let signed = SignerV1.sign(
            method: "GET",
            completeParameters: [
                "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
                "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
                "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
            ],
            secret: "testsecret"
        )
        #expect(
            signed.stringToSign
                == "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        )
        #expect(signed.signature == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
        #expect(signed.queryString.hasSuffix("&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D"))
    }

    @Test func v1BGenerateCredentialReport() {
        let signed = SignerV1.sign(
            method: "POST",
            parameters: ["Action": "GenerateCredentialReport", "Format": "json", "Version": "2019-08-15"],
            credential: Self.key, date: Self.date, nonce: "c0ffee00c0ffee00c0ffee00c0ffee00"
        )
        #expect(
            signed.stringToSign
                == "POST&%2F&AccessKeyId%3Dtestid%26Action%3DGenerateCredentialReport%26Format%3Djson%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dc0ffee00c0ffee00c0ffee00c0ffee00%26SignatureVersion%3D1.0%26Timestamp%3D2025-01-02T03%253A04%253A05Z%26Version%3D2019-08-15"
        )
        #expect(signed.signature == "mf3/JWnEP5P5yVbTipfRd0579gM=")
    }

    @Test func v1CSecurityTokenAndReservedCharacters() {
        let sts = AccessKeyCredential(
            accessKeyID: "STS.testid", accessKeySecret: "testsecret", securityToken: "CAIS/tok+en=")
        let signed = SignerV1.sign(
            method: "POST",
            parameters: [
                "Action": "GetCredentialReport", "Format": "json", "Version": "2019-08-15", "MaxItems": "1000",
                "NextToken": "a b+c/d=e*f~g",
            ],
            credential: sts, date: Self.date, nonce: "c0ffee00c0ffee00c0ffee00c0ffee01"
        )
        #expect(
            signed.stringToSign
                == "POST&%2F&AccessKeyId%3DSTS.testid%26Action%3DGetCredentialReport%26Format%3Djson%26MaxItems%3D1000%26NextToken%3Da%2520b%252Bc%252Fd%253De%252Af~g%26SecurityToken%3DCAIS%252Ftok%252Ben%253D%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dc0ffee00c0ffee00c0ffee00c0ffee01%26SignatureVersion%3D1.0%26Timestamp%3D2025-01-02T03%253A04%253A05Z%26Version%3D2019-08-15"
        )
        #expect(signed.parameters["SecurityToken"] == "CAIS/tok+en=")
        #expect(signed.signature == "q0EuvG792KdDpOs7olhngW1hH/8=")
    }

    @Test func v1DLookupEvents() {
        let signed = SignerV1.sign(
            method: "POST",
            parameters: [
                "Action": "LookupEvents", "Format": "json", "Version": "2020-07-06",
                "LookupAttribute.1.Key": "EventName", "LookupAttribute.1.Value": "ConsoleSignin", "MaxResults": "50",
                "StartTime": "2025-01-01T00:00:00Z", "EndTime": "2025-01-02T00:00:00Z",
            ],
            credential: Self.key, date: Self.date, nonce: "c0ffee00c0ffee00c0ffee00c0ffee02"
        )
        #expect(signed.signature == "XXyD2fe9l0Km37acNaNecMmLhX0=")
    }

    @Test func v1EAssumeRoleWithGet() {
        let signed = SignerV1.sign(
            method: "GET",
            parameters: [
                "Action": "AssumeRole", "Format": "JSON", "Version": "2015-04-01", "DurationSeconds": "3600",
                "RoleArn": "acs:ram::1234567890123456:role/rootwatchd", "RoleSessionName": "rootwatchd",
            ],
            credential: Self.key, date: Self.date, nonce: "c0ffee00c0ffee00c0ffee00c0ffee03"
        )
        #expect(signed.signature == "m/Q2qi+GokxC8xra6LiqHClZnW8=")
    }
}
