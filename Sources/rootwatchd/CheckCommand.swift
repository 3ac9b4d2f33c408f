import AlibabaCloud
import FoundationEssentials
import RootwatchCore
import RootwatchLinux
import Synchronization

/// `rootwatchd check`: one scan now of every (or the named) account, findings and status printed,
/// alerts sent like the daemon unless `--no-alerts`, which also leaves the state untouched.
struct CheckCommand {
    let bootstrap: Bootstrap
    let accounts: [String]
    let json: Bool
    let noAlerts: Bool

    func run() async -> Int32 {
        let environment = bootstrap.environment
        guard let configuration = bootstrap.loadConfiguration() else { return Bootstrap.ExitCode.usage }
        if let unknown = accounts.first(where: { configuration.account(named: $0) == nil }) {
            printError("rootwatchd: no [account \(unknown)] in \(environment.configPath)")
            return Bootstrap.ExitCode.usage
        }
        let selected = accounts.isEmpty ? configuration.accounts.map(\.name) : accounts
        let logger = bootstrap.logger(minimumLevel: .warning)

        // Sending alerts records them in the state, so only one writer may run: take the lock.
        var lock: StateDirectoryLock?
        defer { lock?.release() }
        let stateFile = bootstrap.stateFile()
        if !noAlerts {
            do {
                try bootstrap.ensureStateDirectory()
                lock = try StateDirectoryLock.acquire(directory: environment.stateDirectory)
            } catch {
                printError("rootwatchd: \(error); use --no-alerts to check without recording alerts")
                return Bootstrap.ExitCode.failure
            }
        }
        if lock != nil { await bootstrap.removeLeftoverTemporaryFiles(stateFile, logger: logger) }
        let initial = await bootstrap.loadState(logger: logger, readOnly: noAlerts)

        let transport: CurlTransport
        let scanners: [String: AccountScanner]
        do {
            transport = try CurlTransport()
            scanners = try bootstrap.scannerFactory(transport: transport, logger: logger).scanners(for: configuration)
        } catch {
            printError("rootwatchd: \(error)")
            return Bootstrap.ExitCode.usage
        }
        let delivery = bootstrap.deliveryService(configuration: configuration, transport: transport, logger: logger)
        let store = StateStore(initial)
        let wanted = Set(selected)
        let monitor = Monitor(
            store: store, scanners: scanners.filter { wanted.contains($0.key) },
            sinks: noAlerts ? [] : [delivery.outbox] + bootstrap.alertSinks(echo: false), logger: logger,
            now: { Date() }, changed: {})
        let progress = Progress(total: selected.count, enabled: environment.stderrIsTerminal && !json)

        let results = await scanAll(
            selected, concurrency: configuration.daemon.concurrency, monitor: monitor, progress: progress)
        progress.finish()

        if !noAlerts {
            do {
                try await stateFile.write(store.snapshot)
            } catch {
                printError("rootwatchd: could not save the state file: \(error)")
            }
            await deliver(delivery)
        }
        await transport.shutdown()

        let now = Date()
        let report = CheckReport(
            outcomes: selected.compactMap { results[$0]?.scan }, polls: results.compactMapValues(\.poll),
            configuration: configuration, store: store, now: now)
        print(json ? report.json() : report.text())
        return report.exitCode
    }

    /// Sends what the outbox holds, bounded by `deliveryBound`; what fails or is not done by then stays
    /// in the outbox for the daemon, which retries it.
    private func deliver(_ delivery: DeliveryService) async {
        guard await delivery.pendingCount() > 0 else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await delivery.drain() }
            group.addTask { try? await Task.sleep(for: Self.deliveryBound) }
            await group.next()
            group.cancelAll()
        }
        let left = await delivery.pendingCount()
        if left > 0 {
            printError(
                "rootwatchd: \(left) webhook deliver\(left == 1 ? "y is" : "ies are") pending in the outbox;"
                    + " the daemon retries them (see rootwatchd status)")
        }
    }

    /// The longest `check` waits for webhook deliveries after scanning.
    static let deliveryBound: Duration = .seconds(30)

    /// Scans the accounts, at most `concurrency` at once: for each, the ActionTrail poll first (when the
    /// account has one, so a logon both sources show is alerted with the event's details), then the
    /// report, each through the monitor (alerts, then state). Without alerts the monitor has no sinks and
    /// the state is kept in memory only, never written.
    private func scanAll(
        _ names: [String], concurrency: Int, monitor: Monitor, progress: Progress
    ) async -> [String: (scan: ScanOutcome?, poll: ScanOutcome?)] {
        await withTaskGroup(of: (String, ScanOutcome?, ScanOutcome?).self) { group in
            var results: [String: (scan: ScanOutcome?, poll: ScanOutcome?)] = [:]
            results.reserveCapacity(names.count)  // one allocation, not a copy at every doubling
            var pending = names[...]
            func launch() {
                guard let name = pending.popFirst() else { return }
                group.addTask {
                    // With --no-alerts the monitor has no sinks and the state is never written: detection
                    // runs against the saved state and its result lives in memory only.
                    let poll = await monitor.poll(name)
                    return (name, await monitor.scan(name), poll)
                }
            }
            for _ in 0..<max(1, concurrency) { launch() }
            while let (name, scan, poll) = await group.next() {
                results[name] = (scan?.slimmedForReport(), poll?.slimmedForReport())
                progress.step()
                launch()
            }
            return results
        }
    }
}

/// Accounts done/total on stderr while a long check runs on a terminal.
final class Progress: Sendable {
    private let total: Int
    private let enabled: Bool
    private let done = Mutex(0)

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && total > 1
    }

    func step() {
        guard enabled else { return }
        let count = done.withLock {
            $0 += 1
            return $0
        }
        printError("\r\u{1B}[2Kscanning accounts: \(count)/\(total)", newline: false)
    }

    func finish() {
        if enabled { printError("\r\u{1B}[2K", newline: false) }
    }
}
