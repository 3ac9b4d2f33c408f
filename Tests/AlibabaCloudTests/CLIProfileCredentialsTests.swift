import AlibabaCloud
import Testing

/// Choosing and reading a profile of the aliyun CLI's `config.json`: each supported mode, profile
/// selection, and errors that name the file, profile and field but never a value.
@Suite struct CLIProfileCredentialsTests {
    static let file = "/root/.aliyun/config.json"
    static let secret = "cliSecretValue-DoNotShow"

    /// A config.json in the CLI's own layout (fields from aliyun-cli `config/profile.go`).
    static let config = """
        {
          "current": "ak",
          "profiles": [
            {"name": "ak", "mode": "AK", "access_key_id": "LTAI5tCliProfileAK01", "access_key_secret": "\(secret)",
             "region_id": "cn-hangzhou", "sts_token": "", "ram_role_arn": "", "expired_seconds": 0},
            {"name": "sts", "mode": "StsToken", "access_key_id": "STS.NTcliToken0001", "access_key_secret": "\(secret)",
             "sts_token": "CAIScliSessionToken"},
            {"name": "assume", "mode": "RamRoleArn", "access_key_id": "LTAI5tCliProfileRR01",
             "access_key_secret": "\(secret)", "ram_role_arn": "acs:ram::1234567890123456:role/rootwatchd-audit",
             "ram_session_name": "cli-session", "external_id": "ext-1", "expired_seconds": 1800,
             "sts_region": "cn-hangzhou", "enable_vpc": true, "policy": ""},
            {"name": "assume-minimal", "mode": "RamRoleArn", "access_key_id": "LTAI5tCliProfileRR02",
             "access_key_secret": "\(secret)", "ram_role_arn": "acs:ram::1234567890123456:role/audit",
             "ram_session_name": "", "expired_seconds": 0},
            {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "rootwatchd-ecs"},
            {"name": "ecs-discover", "mode": "EcsRamRole", "ram_role_name": ""},
            {"name": "sso", "mode": "CloudSSO", "access_key_id": "x"},
            {"name": "no-secret", "mode": "AK", "access_key_id": "LTAI5tCliProfileAK02"},
            {"name": "no-arn", "mode": "RamRoleArn", "access_key_id": "LTAI5tCliProfileAK03",
             "access_key_secret": "\(secret)"},
            {"name": "sts-no-token", "mode": "StsToken", "access_key_id": "STS.x", "access_key_secret": "\(secret)"},
            {"name": "numeric-secret", "mode": "AK", "access_key_id": "LTAI5tCliProfileAK04", "access_key_secret": 12345},
            {"name": "bad-duration", "mode": "RamRoleArn", "access_key_id": "LTAI5tCliProfileAK05",
             "access_key_secret": "\(secret)", "ram_role_arn": "arn", "expired_seconds": "soon"},
            {"name": "modeless", "access_key_id": "LTAI5tCliProfileAK06", "access_key_secret": "\(secret)"}
          ]
        }
        """

    func resolve(_ profile: String?, in json: String = config) throws(CredentialSourceError)
        -> CLIProfileCredentials.Resolved
    {
        try CLIProfileCredentials.resolve(configJSON: Array(json.utf8), profile: profile, configFile: Self.file)
    }

    func error(_ profile: String?, in json: String = config) -> CredentialSourceError? {
        do {
            _ = try resolve(profile, in: json)
            return nil
        } catch {
            return error
        }
    }

    @Test func eachSupportedMode() throws {
        #expect(
            try resolve("ak")
                == .fixed(AccessKeyCredential(accessKeyID: "LTAI5tCliProfileAK01", accessKeySecret: Self.secret)))
        #expect(
            try resolve("sts")
                == .fixed(
                    AccessKeyCredential(
                        accessKeyID: "STS.NTcliToken0001", accessKeySecret: Self.secret,
                        securityToken: "CAIScliSessionToken")))
        #expect(
            try resolve("assume")
                == .assumeRole(
                    base: AccessKeyCredential(accessKeyID: "LTAI5tCliProfileRR01", accessKeySecret: Self.secret),
                    roleARN: "acs:ram::1234567890123456:role/rootwatchd-audit", sessionName: "cli-session",
                    externalID: "ext-1", durationSeconds: 1800))
        // Empty session name and expired_seconds 0 are how the CLI writes "not set".
        #expect(
            try resolve("assume-minimal")
                == .assumeRole(
                    base: AccessKeyCredential(accessKeyID: "LTAI5tCliProfileRR02", accessKeySecret: Self.secret),
                    roleARN: "acs:ram::1234567890123456:role/audit", sessionName: nil, externalID: nil,
                    durationSeconds: nil))
        #expect(try resolve("ecs") == .ecsRAMRole(roleName: "rootwatchd-ecs"))
        #expect(try resolve("ecs-discover") == .ecsRAMRole(roleName: nil))
    }

    @Test func profileSelection() throws {
        // No configured profile (nil or empty): the file's current.
        #expect(try resolve(nil) == resolve("ak"))
        #expect(try resolve("") == resolve("ak"))
        // A named profile wins over current.
        #expect(try resolve("ecs") == .ecsRAMRole(roleName: "rootwatchd-ecs"))
        // No current either: the CLI's "default".
        let noCurrent = """
            {"profiles": [{"name": "other", "mode": "EcsRamRole", "ram_role_name": "a"},
                          {"name": "default", "mode": "EcsRamRole", "ram_role_name": "b"}]}
            """
        #expect(try resolve(nil, in: noCurrent) == .ecsRAMRole(roleName: "b"))
    }

    @Test(arguments: [
        // (profile, message after "cli-profile: ")
        ("missing", #"profile "missing" not found in /root/.aliyun/config.json (it has "ak", "sts", "assume", "#),
        (
            "sso",
            #"profile "sso" in /root/.aliyun/config.json uses mode "CloudSSO", which rootwatchd does not support (supported: AK, StsToken, RamRoleArn, EcsRamRole)"#
        ),
        ("no-secret", #"profile "no-secret" in /root/.aliyun/config.json (mode AK) has no access_key_secret"#),
        ("no-arn", #"profile "no-arn" in /root/.aliyun/config.json (mode RamRoleArn) has no ram_role_arn"#),
        ("sts-no-token", #"profile "sts-no-token" in /root/.aliyun/config.json (mode StsToken) has no sts_token"#),
        (
            "numeric-secret",
            #"profile "numeric-secret" in /root/.aliyun/config.json (mode AK): access_key_secret must be a string"#
        ),
        (
            "bad-duration",
            #"profile "bad-duration" in /root/.aliyun/config.json (mode RamRoleArn): expired_seconds must be a whole number of seconds"#
        ),
        ("modeless", #"profile "modeless" in /root/.aliyun/config.json has no mode"#),
    ])
    func unusableProfilesAreTypedErrors(profile: String, message: String) throws {
        let failure = try #require(error(profile))
        #expect(failure.source == "cli-profile")
        #expect(failure.kind == .configuration)
        #expect(!failure.isRetryable)
        #expect(failure.description.hasPrefix("cli-profile: " + message))
        #expect(!failure.description.contains(Self.secret))
        #expect(!failure.description.contains("12345"))
    }

    @Test func unreadableFilesAreTypedErrors() throws {
        let notJSON = try #require(error(nil, in: "access_key_secret = \(Self.secret)"))
        #expect(notJSON.description == "cli-profile: /root/.aliyun/config.json is not a JSON object")
        let noProfiles = try #require(error(nil, in: #"{"current": "default"}"#))
        #expect(noProfiles.description == #"cli-profile: /root/.aliyun/config.json has no "profiles" list"#)
        let empty = try #require(error(nil, in: #"{"current": "", "profiles": []}"#))
        #expect(
            empty.description == #"cli-profile: profile "default" not found in /root/.aliyun/config.json (it has none)"#
        )
    }
}
