import FoundationEssentials
import RootwatchCore
import Testing

@Suite struct MetricsTextTests {
    @Test func rendersEveryGaugePerAccountAndLeavesOutTimesNeverSeen() throws {
        var prod = AccountState()
        prod.lastSuccessfulScan = Date(timeIntervalSince1970: 1_800_000_000)
        prod.reportTime = Date(timeIntervalSince1970: 1_799_990_000)
        prod.lastConsoleLogon = Date(timeIntervalSince1970: 1_799_000_000.7)
        prod.mfaActive = false
        prod.keys = ["access_key_1": KeyState(lastUsed: Date(timeIntervalSince1970: 1_799_500_000), active: true)]
        var failing = AccountState()
        failing.consecutiveFailures = 3
        failing.stale = true
        let text = MetricsText.render(
            state: DaemonState(accounts: ["prod": prod, "fail\"ing": failing]), accounts: ["prod", "fail\"ing"])
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains("rootwatchd_last_successful_scan_timestamp_seconds{account=\"prod\"} 1800000000"))
        #expect(lines.contains("rootwatchd_root_last_console_logon_timestamp_seconds{account=\"prod\"} 1799000000"))
        #expect(lines.contains("rootwatchd_root_last_access_key_use_timestamp_seconds{account=\"prod\"} 1799500000"))
        #expect(lines.contains("rootwatchd_root_mfa_active{account=\"prod\"} 0"))
        #expect(lines.contains("rootwatchd_root_active_access_keys{account=\"prod\"} 1"))
        #expect(lines.contains("rootwatchd_consecutive_failures{account=\"fail\\\"ing\"} 3"))
        #expect(lines.contains("rootwatchd_account_stale{account=\"fail\\\"ing\"} 1"))
        // Never scanned successfully: no sample rather than a misleading 0.
        #expect(!text.contains("rootwatchd_last_successful_scan_timestamp_seconds{account=\"fail\\\"ing\"}"))
        #expect(lines.contains("# TYPE rootwatchd_consecutive_failures gauge"))
        #expect(text.hasSuffix("\n"))
    }
}
