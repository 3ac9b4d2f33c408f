import Glibc
import RootwatchLinux

// Signals must be blocked before any other thread exists, so the dispatch sources see them.
SignalStream.blockSignals()

// glibc gives each thread that allocates an arena of its own, up to eight per core. The daemon's
// threads take turns (a cooperative pool, the transfer loop, file I/O), so two arenas suffice and
// freed memory stays reusable instead of stranded: with 1,000 accounts the idle daemon held
// 36 MB RSS with the default, 31 MB with two (Benchmarks/run.py).
Allocator.limitArenas(to: 2)

let options: CommandLineOptions
do {
    options = try CommandLineOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    printError("rootwatchd: \(error)")
    printError("Try 'rootwatchd --help'.")
    exit(Bootstrap.ExitCode.usage)
}

let bootstrap = Bootstrap(environment: Environment(options: options))
let status: Int32
switch options.command {
case .run:
    status = await RunCommand(bootstrap: bootstrap).run()
case .check(let accounts, let json, let noAlerts):
    status = await CheckCommand(bootstrap: bootstrap, accounts: accounts, json: json, noAlerts: noAlerts).run()
case .checkConfig:
    status = CheckConfigCommand(bootstrap: bootstrap).run()
case .status(let json):
    status = await StatusCommand(bootstrap: bootstrap, json: json).run()
case .testAlert(let webhook):
    status = await TestAlertCommand(bootstrap: bootstrap, webhook: webhook).run()
case .version:
    print("rootwatchd \(HelpText.version)")
    status = Bootstrap.ExitCode.ok
case .help(let topic):
    print(topic.map(HelpText.forCommand) ?? HelpText.overview)
    status = Bootstrap.ExitCode.ok
}
exit(status)
