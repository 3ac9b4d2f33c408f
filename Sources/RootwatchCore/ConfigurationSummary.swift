import AlibabaCloud

/// The text `rootwatchd check-config` prints for a valid configuration: what was read and what will be
/// used, in the configuration's own INI shape so it reads like the file it describes.
///
/// It shows where each secret comes from, never a secret: AccessKey IDs are masked (`LTAI****abcd`),
/// webhook URLs have their tokens masked (`maskURL`), `external_id` is shown only as set.
package enum ConfigurationSummary {
    package static func render(_ configuration: Configuration) -> String {
        var lines: [String] = []
        let accounts = configuration.accounts.count
        let webhooks = configuration.webhooks.count
        lines.append(
            "configuration valid: \(accounts) account\(accounts == 1 ? "" : "s"), "
                + "\(webhooks) webhook\(webhooks == 1 ? "" : "s")")
        lines.append("files read:")
        lines += configuration.files.map { "  " + $0 }

        let daemon = configuration.daemon
        lines.append("")
        lines.append("[daemon]")
        lines += pairs([
            ("interval", DurationText.format(daemon.interval)),
            ("window", DurationText.format(daemon.window)),
            ("jitter", "\(daemon.jitterPercent)%"),
            ("concurrency", "\(daemon.concurrency)"),
            ("stale_after", DurationText.format(daemon.staleAfter)),
            ("actiontrail_interval", DurationText.format(daemon.actiontrailInterval)),
            ("actiontrail_overlap", DurationText.format(daemon.actiontrailOverlap)),
            ("metrics_file", daemon.metricsFile ?? "(none)"),
            ("signature", daemon.signature.rawValue),
            ("request_timeout", DurationText.format(daemon.requestTimeout)),
        ])

        let endpoints = configuration.endpoints
        lines.append("")
        lines.append("[endpoints]")
        lines += pairs([
            ("ims", maskURL(endpoints.ims)),
            ("sts", maskURL(endpoints.sts)),
            ("actiontrail", endpoints.actiontrail),
            ("metadata", maskURL(endpoints.metadata)),
        ])

        for credentials in configuration.credentials {
            lines.append("")
            lines.append("[credentials \(credentials.name)]")
            lines += pairs(describe(credentials.source))
        }

        for account in configuration.accounts {
            lines.append("")
            lines.append("[account \(account.name)]")
            var fields = [("credentials", account.credentials)]
            if let roleARN = account.roleARN {
                fields.append(("role_arn", roleARN))
                fields.append(("role_session_name", account.roleSessionName))
                fields.append(("external_id", account.externalID == nil ? "(none)" : "(set)"))
            }
            fields += [
                ("interval", DurationText.format(account.interval)),
                ("window", DurationText.format(account.window)),
                ("stale_after", DurationText.format(account.staleAfter)),
                ("actiontrail", account.actiontrail ? "yes (\(account.actiontrailRegion ?? "?"))" : "no"),
            ]
            lines += pairs(fields)
        }

        for webhook in configuration.webhooks {
            lines.append("")
            lines.append("[webhook \(webhook.name)]")
            lines += pairs([
                ("format", webhook.format.rawValue),
                ("url", maskURL(webhook.url)),
                ("secret", webhook.secretOrigin.map(\.description) ?? "(none)"),
                ("accounts", webhook.accounts.map { $0.joined(separator: " ") } ?? "(all)"),
                ("kinds", webhook.kinds.map { $0.map(\.rawValue).joined(separator: " ") } ?? "(all)"),
                ("max_age", DurationText.format(webhook.maxAge)),
                ("ca_file", webhook.caFile ?? "(system)"),
            ])
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The summary fields of a credentials source; secrets appear only as their origin.
    private static func describe(_ source: CredentialsSource) -> [(String, String)] {
        switch source {
        case .accessKey(let id, _, let origin):
            [
                ("source", "access key"), ("access_key_id", AccessKeyCredential.mask(id)),
                ("access_key_secret", origin.description),
            ]
        case .environment(let id, _, let token):
            [
                ("source", "environment"), ("access_key_id", AccessKeyCredential.mask(id)),
                ("access_key_secret", SecretOrigin.environment.description),
                ("security_token", token == nil ? "(none)" : "environment"),
            ]
        case .ecsRAMRole(let roleName):
            [("source", "ecs-ram-role"), ("ram_role_name", roleName ?? "(discovered)")]
        case .cliProfile(let profile, let configFile):
            [("source", "cli-profile"), ("profile", profile ?? "(current)"), ("cli_config", configFile)]
        }
    }

    /// `  key = value` lines, aligned.
    private static func pairs(_ fields: [(String, String)]) -> [String] {
        let width = fields.map(\.0.count).max() ?? 0
        return fields.map { key, value in
            "  " + key + String(repeating: " ", count: width - key.count) + " = " + value
        }
    }
}
