import AlibabaCloud
import FoundationEssentials
import RootwatchCore
import RootwatchLinux

/// The only place that names concrete types: it turns the environment and the configuration into
/// loggers, sinks, transports and scanners for the commands.
struct Bootstrap: Sendable {
    let environment: Environment

    /// Exit statuses shared by the commands (product.md §2).
    enum ExitCode {
        static let ok: Int32 = 0
        static let failure: Int32 = 1
        static let usage: Int32 = 2
        static let rootActivity: Int32 = 3
    }

    /// Loads and validates the configuration; nil after printing the one-line error.
    func loadConfiguration() -> Configuration? {
        do {
            return try configurationLoader().load(mainFile: environment.configPath)
        } catch {
            printError("rootwatchd: \(error)")
            return nil
        }
    }

    func configurationLoader() -> ConfigurationLoader {
        ConfigurationLoader.local(environment: environment.variables)
    }

    /// Operational logs go natively to the journal when stderr is the journal (under systemd), so they
    /// keep their structured fields; otherwise to stderr, where whoever started rootwatchd reads them.
    var logsToJournal: Bool { environment.stderrIsJournal && environment.journalAvailable }

    func logger(minimumLevel: LogLevel = .info) -> Logger {
        if logsToJournal { return Logger(handler: JournalLogHandler(minimumLevel: minimumLevel)) }
        return Logger(handler: StderrLogHandler(minimumLevel: minimumLevel))
    }

    /// Where alerts go besides webhooks: the journal whenever there is one, and stderr too when the
    /// logs go there, so a person running rootwatchd by hand sees them.
    func alertSinks(echo: Bool = true) -> [any AlertSink] {
        var sinks: [any AlertSink] = environment.journalAvailable ? [JournalAlertSink()] : []
        if echo && !logsToJournal { sinks.append(StderrAlertSink()) }
        return sinks
    }

    func stateFile() -> StateFile<DaemonState> {
        StateFile<DaemonState>(directory: environment.stateDirectory, encode: { try $0.encodedIncrementally() })
    }

    /// The saved state; empty when there is none, or when the file was unusable (then it has been moved
    /// aside and the reason logged, so a corrupt file never stops rootwatchd).
    func loadState(logger: Logger, readOnly: Bool = false) async -> DaemonState {
        switch await stateFile().read(moveAside: !readOnly) {
        case .missing:
            return DaemonState()
        case .loaded(let state):
            return state
        case .corrupt(let corruption):
            logger.error("State file unusable, continuing from empty state: \(corruption)")
            return DaemonState()
        }
    }

    /// Removes what state writes killed mid-way left behind; call only while holding the state lock.
    func removeLeftoverTemporaryFiles(_ stateFile: StateFile<DaemonState>, logger: Logger) async {
        do {
            let removed = try await stateFile.removeLeftoverTemporaryFiles()
            if !removed.isEmpty {
                logger.notice(
                    "Removed \(removed.count) temporary state file\(removed.count == 1 ? "" : "s") left by an interrupted write"
                )
            }
        } catch {
            logger.warning("Could not remove temporary state files left by an interrupted write: \(error)")
        }
    }

    /// Creates the state directory (0700) if it is missing.
    func ensureStateDirectory() throws(SystemCallError) {
        try StateDirectory.ensure(environment.stateDirectory)
    }

    /// The scanner factory over libcurl, logging every retry.
    func scannerFactory(transport: CurlTransport, logger: Logger) -> ScannerFactory {
        ScannerFactory(
            transport: transport,
            onRetry: { error, delay in
                logger.warning(error.retryingDescription(after: delay), ["ROOTWATCH_ACCOUNT": error.account])
            },
            readFile: { path in try LocalConfigurationFiles().contents(ofFile: path) })
    }

    /// The webhook outbox in the state directory and its delivery workers, sending over `transport`.
    func deliveryService(configuration: Configuration, transport: any HTTPTransport, logger: Logger)
        -> DeliveryService
    {
        let context = webhookContext()
        let delivery = DeliveryEnvironment(
            store: WebhookOutboxStore(stateDirectory: environment.stateDirectory), transport: transport,
            makeRenderer: { Self.renderer(for: $0, context: context) }, logger: logger)
        return DeliveryService(webhooks: configuration.webhooks, environment: delivery)
    }

    /// What every payload says about this installation.
    func webhookContext() -> WebhookContext {
        WebhookContext(host: environment.hostName)
    }

    /// The renderer for a webhook's format.
    static func renderer(for webhook: WebhookConfiguration, context: WebhookContext) -> any WebhookRenderer {
        WebhookRenderers.renderer(for: webhook, context: context)
    }
}
