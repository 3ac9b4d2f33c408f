import FoundationEssentials

/// The Prometheus text exposition of the daemon's state, for node_exporter's textfile collector
/// (`[daemon] metrics_file`). Times are Unix seconds; a time never seen is left out rather than 0,
/// so "never" cannot be mistaken for 1970.
package enum MetricsText {
    /// One gauge family: help text and a value per account (nil values are omitted).
    private struct Family {
        var name: String
        var help: String
        var values: [(account: String, value: Double?)]
    }

    package static func render(state: DaemonState, accounts: [String]) -> String {
        func seconds(_ date: Date?) -> Double? { date.map { $0.timeIntervalSince1970.rounded(.down) } }
        func family(_ name: String, _ help: String, _ value: (AccountState) -> Double?) -> Family {
            Family(
                name: name, help: help,
                values: accounts.map { ($0, value(state.accounts[$0] ?? AccountState())) })
        }
        let families = [
            family(
                "rootwatchd_last_successful_scan_timestamp_seconds", "When the account was last scanned successfully."
            ) { seconds($0.lastSuccessfulScan) },
            family("rootwatchd_report_generated_timestamp_seconds", "GeneratedTime of the last credential report.") {
                seconds($0.reportTime)
            },
            family("rootwatchd_consecutive_failures", "Failed scans since the last successful one.") {
                Double($0.consecutiveFailures)
            },
            family("rootwatchd_account_stale", "1 while account-stale is raised and the account has not recovered.") {
                $0.stale ? 1 : 0
            },
            family("rootwatchd_root_last_console_logon_timestamp_seconds", "Last root console logon seen.") {
                seconds($0.lastConsoleLogon)
            },
            family("rootwatchd_root_last_access_key_use_timestamp_seconds", "Last use of any root AccessKey seen.") {
                seconds($0.keys.values.compactMap(\.lastUsed).max())
            },
            family("rootwatchd_root_mfa_active", "1 when the root account has MFA, 0 when not.") {
                $0.mfaActive.map { $0 ? 1 : 0 }
            },
            family("rootwatchd_root_active_access_keys", "Root AccessKeys that are active.") {
                $0.mfaActive == nil && $0.keys.isEmpty ? nil : Double($0.keys.values.filter { $0.active == true }.count)
            },
        ]
        var lines: [String] = []
        for family in families {
            lines.append("# HELP \(family.name) \(family.help)")
            lines.append("# TYPE \(family.name) gauge")
            for (account, value) in family.values {
                guard let value else { continue }
                lines.append("\(family.name){account=\"\(escape(account))\"} \(format(value))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func escape(_ label: String) -> String {
        var escaped = ""
        for character in label {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
