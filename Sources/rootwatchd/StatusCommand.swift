import AlibabaCloud
import FoundationEssentials
import RootwatchCore
import RootwatchLinux

/// `rootwatchd status`: each account as the state file records it. Reads only; works while the
/// daemon runs.
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
        let report = StatusReport(state: state, configuration: configuration, now: Date())
        print(json ? report.json(stateDirectory: bootstrap.environment.stateDirectory) : report.text())
        return Bootstrap.ExitCode.ok
    }
}
