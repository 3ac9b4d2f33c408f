import RootwatchCore

/// `rootwatchd check-config`: validates everything the daemon would load, prints a summary without
/// secrets, and lists every problem (not only the first) when something is wrong.
struct CheckConfigCommand {
    let bootstrap: Bootstrap

    func run() -> Int32 {
        do {
            let configuration = try bootstrap.configurationLoader().loadReportingAll(
                mainFile: bootstrap.environment.configPath)
            print(ConfigurationSummary.render(configuration))
            return Bootstrap.ExitCode.ok
        } catch {
            for problem in error.errors { printError("rootwatchd: \(problem)") }
            return Bootstrap.ExitCode.usage
        }
    }
}
