import AlibabaCloud
import Testing

/// Reading a credential from the standard environment variables.
@Suite struct EnvironmentCredentialsTests {
    @Test func readsAPairAndOptionalToken() throws {
        let pair = try EnvironmentCredentials.parse([
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIexample", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s", "HOME": "/root",
        ])
        #expect(pair == AccessKeyCredential(accessKeyID: "LTAIexample", accessKeySecret: "s"))
        let sts = try EnvironmentCredentials.parse([
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.x", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s",
            "ALIBABA_CLOUD_SECURITY_TOKEN": "t",
        ])
        #expect(sts?.securityToken == "t")
    }

    @Test func nothingSetIsNil() throws {
        #expect(try EnvironmentCredentials.parse(["PATH": "/bin", "ALIBABA_CLOUD_ACCESS_KEY_ID": ""]) == nil)
    }

    @Test func partialIsATypedErrorNamingWhatIsMissing() {
        #expect(throws: EnvironmentCredentials.Incomplete(missing: ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"])) {
            try EnvironmentCredentials.parse(["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIexample"])
        }
        #expect(throws: EnvironmentCredentials.Incomplete(missing: ["ALIBABA_CLOUD_ACCESS_KEY_ID"])) {
            try EnvironmentCredentials.parse(["ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"])
        }
        #expect(
            throws: EnvironmentCredentials.Incomplete(missing: [
                "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            ])
        ) {
            try EnvironmentCredentials.parse(["ALIBABA_CLOUD_SECURITY_TOKEN": "t"])
        }
    }

    @Test func errorTextNamesVariablesButNoValues() {
        let error = EnvironmentCredentials.Incomplete(missing: ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"])
        #expect(
            error.description
                == "incomplete Alibaba Cloud credential in the environment: ALIBABA_CLOUD_ACCESS_KEY_SECRET not set")
    }
}
