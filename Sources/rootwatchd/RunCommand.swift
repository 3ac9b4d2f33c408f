import AlibabaCloud
import Dispatch
import FoundationEssentials
import Glibc
import RootwatchCore
import RootwatchLinux
import Synchronization

/// `rootwatchd run`: the daemon.
///
/// One root task group holds the scheduler and the webhook delivery workers; the command's own task
/// reads signals: SIGHUP reloads,
/// SIGTERM/SIGINT cancel the group (cancellation is shutdown), after which the state is saved and
/// the process exits. systemd hears READY, STATUS, WATCHDOG, RELOADING and STOPPING along the way.
struct RunCommand {
    let bootstrap: Bootstrap
    /// Longest a stop may take before the process exits regardless (below the unit's TimeoutStopSec).
    static let stopDeadline: Duration = .seconds(20)
    /// Longest a finished scan's state waits to be written; a crash in between only re-raises the
    /// same alerts (same ids), and one write per interval keeps large fleets cheap.
    static let saveInterval: Duration = .seconds(1)

    func run() async -> Int32 {
        let environment = bootstrap.environment
        let logger = bootstrap.logger()
        let notifier: SystemdNotifier
        do {
            notifier = try SystemdNotifier(environment: environment.variables)
        } catch {
            printError("rootwatchd: NOTIFY_SOCKET: \(error)")
            return Bootstrap.ExitCode.usage
        }
        guard var configuration = bootstrap.loadConfiguration() else { return Bootstrap.ExitCode.usage }

        let lock: StateDirectoryLock
        do {
            try bootstrap.ensureStateDirectory()
            lock = try StateDirectoryLock.acquire(directory: environment.stateDirectory)
        } catch {
            printError("rootwatchd: \(error)")
            logger.error("Not starting: \(error)")
            return Bootstrap.ExitCode.failure
        }
        defer { lock.release() }

        let stateFile = bootstrap.stateFile()
        await bootstrap.removeLeftoverTemporaryFiles(stateFile, logger: logger)
        let initial = await bootstrap.loadState(logger: logger)

        let transport: CurlTransport
        do {
            transport = try CurlTransport()
        } catch {
            logger.error("Not starting: libcurl: \(error)")
            return Bootstrap.ExitCode.failure
        }
        let factory = bootstrap.scannerFactory(transport: transport, logger: logger)
        let scanners: [String: AccountScanner]
        do {
            scanners = try factory.scanners(for: configuration)
        } catch {
            printError("rootwatchd: \(environment.configPath): \(error)")
            return Bootstrap.ExitCode.usage
        }

        let delivery = bootstrap.deliveryService(configuration: configuration, transport: transport, logger: logger)
        let store = StateStore(initial)
        // What the metrics file covers; a reload may change both.
        let metrics = Mutex((file: configuration.daemon.metricsFile, accounts: configuration.accounts.map(\.name)))
        let saver = CoalescingSaver<DaemonState>(
            snapshot: { store.snapshot },
            write: { state in
                try await stateFile.write(state)
                let (metricsFile, accounts) = metrics.withLock { ($0.file, $0.accounts) }
                if let metricsFile {
                    let text = MetricsText.render(state: state, accounts: accounts)
                    try await BlockingIO.run { try AtomicFile.write(Data(text.utf8), to: metricsFile, mode: 0o644) }
                }
                // Encoding every account leaves megabytes of freed buffers; give them back while idle.
                Allocator.releaseFreeMemory()
            },
            failed: { logger.error("Could not save the state file: \($0)") })
        let pulse = Pulse(notifier: notifier, logger: logger)
        let scheduler = Scheduler(
            plan: SchedulePlan(entries: Self.entries(configuration), jitter: Self.jitter(configuration)),
            concurrency: configuration.daemon.concurrency, clock: SystemWallClock(),
            heartbeat: { pulse.beat() })
        // ActionTrail polls run on a scheduler of their own, so a slow report scan never delays them and
        // they never take a report scan's place under the concurrency limit.
        let polls = Scheduler(
            plan: SchedulePlan(entries: Self.pollEntries(configuration), jitter: Self.jitter(configuration)),
            concurrency: configuration.daemon.concurrency, clock: SystemWallClock())
        let monitor = Monitor(
            store: store, scanners: scanners, sinks: [delivery.outbox] + bootstrap.alertSinks(), logger: logger,
            now: { Date() },
            changed: {
                store.recordNextDue(scheduler.nextDue)
                await saver.markDirty()
            })
        pulse.setStatus { store.statusLine(accounts: monitor.accounts, nextDue: scheduler.nextDue) }

        let signals = SignalStream.signals()
        let remembered = initial.accounts.compactMapValues(\.nextDue)
        let rememberedPolls = Self.rememberedPolls(initial, configuration)
        logger.info(
            "rootwatchd \(RootwatchVersion.current) started: \(scanners.count) accounts "
                + "(\(monitor.actionTrailAccounts.count) with ActionTrail), \(configuration.webhooks.count) webhooks, "
                + "state in \(environment.stateDirectory)")
        pulse.send { try notifier.ready(status: pulse.statusLine()) }

        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await scheduler.run(remembered: remembered) { account, _ in await monitor.scan(account) }
            }
            // Webhook delivery runs beside scanning, so a slow receiver never delays a scan.
            group.addTask { await delivery.run() }
            group.addTask {
                await polls.run(remembered: rememberedPolls) { account, _ in await monitor.poll(account) }
            }
            group.addTask {
                await saver.run(interval: Self.saveInterval) { try await Task.sleep(for: $0) }
            }
            for await signal in signals {
                switch signal {
                case .hangup:
                    pulse.send { try notifier.reloading(status: "reloading configuration") }
                    if let reloaded = reload(factory: factory, logger: logger) {
                        configuration = reloaded.configuration
                        metrics.withLock {
                            $0 = (configuration.daemon.metricsFile, configuration.accounts.map(\.name))
                        }
                        monitor.replaceScanners(reloaded.scanners)
                        delivery.update(webhooks: configuration.webhooks)
                        scheduler.update(
                            entries: Self.entries(configuration), jitter: Self.jitter(configuration),
                            concurrency: configuration.daemon.concurrency)
                        polls.update(
                            entries: Self.pollEntries(configuration), jitter: Self.jitter(configuration),
                            concurrency: configuration.daemon.concurrency)
                        logger.info(
                            "Configuration reloaded: \(reloaded.scanners.count) accounts, "
                                + "\(configuration.webhooks.count) webhooks")
                    }
                    pulse.send { try notifier.ready(status: pulse.statusLine()) }
                case .terminate, .interrupt:
                    logger.info("Stopping on \(signal == .terminate ? "SIGTERM" : "SIGINT")")
                    pulse.send { try notifier.stopping(status: "stopping") }
                    Self.armStopDeadline(logger: logger)
                    group.cancelAll()
                }
                if signal != .hangup { break }
            }
            group.cancelAll()
        }

        store.recordNextDue(scheduler.nextDue)
        do {
            try await saver.flush()
        } catch {
            logger.error("Could not save the state file at stop: \(error)")
        }
        await transport.shutdown()
        logger.info("rootwatchd stopped")
        return Bootstrap.ExitCode.ok
    }

    /// Loads the configuration again; nil (after logging why) keeps the running one.
    private func reload(factory: ScannerFactory, logger: Logger) -> (
        configuration: Configuration, scanners: [String: AccountScanner]
    )? {
        do {
            let configuration = try bootstrap.configurationLoader().load(mainFile: bootstrap.environment.configPath)
            return (configuration, try factory.scanners(for: configuration))
        } catch {
            logger.error("Reload failed, keeping the running configuration: \(error)")
            return nil
        }
    }

    static func entries(_ configuration: Configuration) -> [SchedulePlan.Entry] {
        configuration.accounts.map { SchedulePlan.Entry(name: $0.name, interval: $0.interval) }
    }

    /// One ActionTrail poll entry per account with `actiontrail = yes`, every `actiontrail_interval`.
    static func pollEntries(_ configuration: Configuration) -> [SchedulePlan.Entry] {
        configuration.accounts.filter(\.actiontrail).map {
            SchedulePlan.Entry(name: $0.name, interval: configuration.daemon.actiontrailInterval)
        }
    }

    /// When each account's next poll is due after a restart: one interval after its last successful poll.
    static func rememberedPolls(_ state: DaemonState, _ configuration: Configuration) -> [String: Date] {
        let interval = configuration.daemon.actiontrailInterval.seconds
        return state.accounts.compactMapValues { $0.actionTrail?.lastPoll?.addingTimeInterval(interval) }
    }

    static func jitter(_ configuration: Configuration) -> Double {
        Double(configuration.daemon.jitterPercent) / 100
    }

    /// Makes sure a stop that hangs (a wedged C call) still ends the process in bounded time; the state
    /// is saved after every scan, so exiting loses nothing.
    private static func armStopDeadline(logger: Logger) {
        let seconds = Double(stopDeadline.components.seconds)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            logger.error("Stop took longer than \(Int(seconds)) s; exiting now")
            _exit(Bootstrap.ExitCode.failure)
        }
    }
}

/// Keeps systemd informed from the scheduling loop: `WATCHDOG=1` at a third of the watchdog interval
/// (or every beat when none is set), and `STATUS=` whenever the summary line changes.
final class Pulse: Sendable {
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let last: Mutex<(watchdog: ContinuousClock.Instant?, status: String)>
    private let statusProvider: Mutex<(@Sendable () -> String)?>

    init(notifier: SystemdNotifier, logger: Logger) {
        self.notifier = notifier
        self.logger = logger
        self.last = Mutex((nil, ""))
        self.statusProvider = Mutex(nil)
    }

    /// Sets what `STATUS=` says; called again on every beat.
    func setStatus(_ provider: @escaping @Sendable () -> String) {
        statusProvider.withLock { $0 = provider }
    }

    func statusLine() -> String { statusProvider.withLock { $0 }?() ?? "starting" }

    /// Called on every wake of the scheduling loop.
    func beat() {
        guard notifier.isEnabled else { return }
        let now = ContinuousClock.now
        let period = (notifier.watchdogInterval ?? .seconds(3)) / 3
        let (sendWatchdog, status) = last.withLock { last -> (Bool, String?) in
            let due = last.watchdog.map { now - $0 >= period } ?? true
            if due { last.watchdog = now }
            let line = statusLine()
            let changed = line != last.status
            if changed { last.status = line }
            return (due && notifier.watchdogInterval != nil, changed ? line : nil)
        }
        if sendWatchdog { send { try notifier.watchdog() } }
        if let status { send { try notifier.status(status) } }
    }

    /// Sends one notification, logging (not failing) when the socket refuses it.
    func send(_ body: () throws -> Void) {
        do { try body() } catch { logger.warning("systemd notification failed: \(error)") }
    }
}
