import FoundationEssentials

/// `[account NAME]` and `[webhook NAME]` sections, and the references between sections.
extension ConfigurationBuilder {
    /// An account; `credentials` holds every `[credentials NAME]` defined (a defined but invalid one has
    /// its own error).
    func buildAccount(
        _ section: MergedSection, daemon: DaemonConfiguration, credentials: Set<String>
    ) -> AccountConfiguration? {
        let errorsBefore = errors.count
        guard let credentialsEntry = section.entry("credentials") else {
            fail(section, "credentials", "missing (name a [credentials NAME] section)")
            return nil
        }
        var account = AccountConfiguration(name: section.name, credentials: credentialsEntry.value, daemon: daemon)
        if !credentials.contains(credentialsEntry.value) {
            fail(section, "credentials", "there is no [credentials \(credentialsEntry.value)]")
        }

        if let entry = section.entry("role_arn") {
            if Self.isRoleARN(entry.value) {
                account.roleARN = entry.value
            } else {
                fail(
                    section, "role_arn", "\(quoted(entry.value)) is not a role ARN (acs:ram::<account id>:role/<name>)")
            }
        }
        for key in ["external_id", "role_session_name"]
        where section.entry(key) != nil && section.entry("role_arn") == nil {
            fail(section, key, "only used with role_arn")
        }
        if let entry = section.entry("external_id") {
            if Self.matches(entry.value, extra: "_+=,.@:/-", length: 2...1224) {
                account.externalID = entry.value
            } else {
                fail(section, "external_id", "is not 2 to 1224 letters, digits or _+=,.@:/-")
            }
        }
        if let entry = section.entry("role_session_name") {
            if Self.matches(entry.value, extra: ".@_-", length: 2...64) {
                account.roleSessionName = entry.value
            } else {
                fail(section, "role_session_name", "\(quoted(entry.value)) is not 2 to 64 letters, digits or .@_-")
            }
        }

        account.interval = duration(section, "interval", default: daemon.interval, minimum: .seconds(60))
        account.window = duration(section, "window", default: daemon.window, minimum: .seconds(60))
        account.staleAfter = duration(section, "stale_after", default: daemon.staleAfter, minimum: .seconds(60))
        if account.staleAfter < account.interval {
            fail(
                section, "stale_after",
                "\(DurationText.format(account.staleAfter)) is shorter than interval "
                    + "\(DurationText.format(account.interval)): the account would go stale between scans")
        }

        account.actiontrail = boolean(section, "actiontrail", default: false)
        if let entry = section.entry("actiontrail_region") {
            if Self.matches(entry.value, extra: "-", length: 2...32) && entry.value == entry.value.lowercased() {
                account.actiontrailRegion = entry.value
            } else {
                fail(section, "actiontrail_region", "\(quoted(entry.value)) is not a region ID (e.g. cn-hangzhou)")
            }
        } else if account.actiontrail {
            fail(section, "actiontrail_region", "missing: required with actiontrail = yes (e.g. cn-hangzhou)")
        }
        return errors.count == errorsBefore ? account : nil
    }

    func buildWebhook(_ section: MergedSection, accounts: Set<String>) -> WebhookConfiguration? {
        let errorsBefore = errors.count
        guard let urlEntry = section.entry("url") else {
            fail(section, "url", "missing")
            return nil
        }
        if let problem = urlProblem(urlEntry.value, policy: .standard) {
            fail(section, "url", problem)
        }
        let errorsBeforeFormat = errors.count
        let format: WebhookFormat = choice(section, "format", default: .standard)
        var webhook = WebhookConfiguration(name: section.name, url: urlEntry.value, format: format)

        let keys = SecretKeys.webhook
        if errors.count > errorsBeforeFormat {
            // The secret rules depend on the format: with an unknown format, only its error is useful.
        } else if format.secretRule == .forbidden {
            if let key = keys.all.first(where: { section.entry($0) != nil }) {
                fail(
                    section, key, "format \(format.rawValue) does not sign requests (its URL is the secret): remove it")
            }
        } else if case .found(let secret, let origin) = secret(
            section, keys: keys, required: format.secretRule == .required)
        {
            if format == .standard && !Self.isStandardWebhookSecret(secret.revealed) {
                let key = keys.all.first { section.entry($0) != nil } ?? keys.file
                fail(section, key, "is not a Standard Webhooks secret (whsec_ followed by base64 of 24 to 64 bytes)")
            }
            webhook.secret = secret
            webhook.secretOrigin = origin
        }

        if let entry = section.entry("accounts") {
            let names = entry.value.split(whereSeparator: \.isWhitespace).map(String.init)
            for name in names where !accounts.contains(name) {
                fail(section, "accounts", "there is no [account \(name)]")
            }
            webhook.accounts = names
        }
        if let entry = section.entry("kinds") {
            var kinds: [FindingKind] = []
            for name in entry.value.split(whereSeparator: \.isWhitespace) {
                if let kind = FindingKind(rawValue: String(name)) {
                    kinds.append(kind)
                } else {
                    let all = FindingKind.allCases.map(\.rawValue).joined(separator: ", ")
                    fail(section, "kinds", "\(quoted(String(name))) is not a finding kind (\(all))")
                }
            }
            webhook.kinds = kinds
        }
        webhook.maxAge = duration(section, "max_age", default: webhook.maxAge, minimum: .seconds(60))
        if let caFile = path(section, "ca_file") {
            do {
                _ = try fileSystem.contents(ofFile: caFile)
                webhook.caFile = caFile
            } catch {
                fail(section, "ca_file", "cannot read \(caFile): \(error.reason)")
            }
        }
        return errors.count == errorsBefore ? webhook : nil
    }

    /// `acs:ram::<account id>:role/<name>`.
    static func isRoleARN(_ text: String) -> Bool {
        let prefix = "acs:ram::"
        guard text.hasPrefix(prefix) else { return false }
        let rest = text.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { return false }
        let accountID = rest[..<colon]
        let role = rest[rest.index(after: colon)...]
        guard (1...20).contains(accountID.count), accountID.allSatisfy({ $0.isASCII && $0.isNumber }),
            role.hasPrefix("role/")
        else { return false }
        return matches(String(role.dropFirst(5)), extra: "._-", length: 1...64)
    }

    /// `whsec_` + base64 (padding optional, as the Standard Webhooks libraries accept) of 24 to 64 bytes.
    static func isStandardWebhookSecret(_ text: String) -> Bool {
        guard text.hasPrefix("whsec_") else { return false }
        var encoded = String(text.dropFirst(6))
        while encoded.utf8.count % 4 != 0 { encoded += "=" }
        guard let key = Data(base64Encoded: encoded) else { return false }
        return (24...64).contains(key.count)
    }
}
