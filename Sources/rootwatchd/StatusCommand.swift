import AlibabaCloud
import FoundationEssentials
import RootwatchCore
import RootwatchLinux

/// `rootwatchd status`: each account as the state file records it, and each webhook's pending and
/// dead deliveries as the outbox holds them. Reads only; works while the daemon runs.
struct StatusCommand {
    let bootstrap: Bootstrap
    let json: Bool

    func run() async -> Int32 {
        let stateFile = bootstrap.stateFile()
        let state: DaemonState
        switch await stateFile.read(moveAside: false) {
        case .missing:
            printError("rootwatchd: no state yet in \(bootstrap.environment.stateDirectory) (has rootwatchd run?)")
            return Bootstrap.ExitCode.usage
        case .corrupt(let corruption):
            printError("rootwatchd: \(corruption)")
            return Bootstrap.ExitCode.usage
        case .loaded(let loaded):
            state = loaded
        }
        // The configuration adds windows and the account order; status still works without it.
        let configuration = try? bootstrap.configurationLoader().load(mainFile: bootstrap.environment.configPath)
        let outbox = await WebhookOutboxStore(stateDirectory: bootstrap.environment.stateDirectory).snapshot()
        let webhooks = WebhookStatus.summarize(
            configured: configuration?.webhooks ?? [], pending: outbox.pending, dead: outbox.dead)
        let report = StatusReport(state: state, configuration: configuration, now: Date(), webhooks: webhooks)
        print(json ? report.json(stateDirectory: bootstrap.environment.stateDirectory) : report.text())
        return Bootstrap.ExitCode.ok
    }
}
