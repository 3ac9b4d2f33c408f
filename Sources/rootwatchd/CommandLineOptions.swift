/// The parsed command line: one subcommand plus the options that apply to all of them.
struct CommandLineOptions: Equatable {
    enum Command: Equatable {
        case run
        case check(accounts: [String], json: Bool, noAlerts: Bool)
        case checkConfig
        case status(json: Bool)
        case testAlert(webhook: String?)
        case version
        case help(topic: String?)
    }

    var command: Command
    /// `--config PATH`; nil means the default (`/etc/rootwatchd/rootwatchd.conf`).
    var configPath: String?
    /// `--state-dir PATH`; nil means `$STATE_DIRECTORY`, else `/var/lib/rootwatchd`.
    var stateDirectory: String?

    /// A usage error: printed with a pointer to `--help`, exit status 2.
    struct UsageError: Error, Equatable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static let commands = ["run", "check", "check-config", "status", "test-alert", "help"]

    /// Parses `arguments` (without the program name). Options may come before or after the command.
    static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineOptions {
        var configPath: String?
        var stateDirectory: String?
        var positional: [String] = []
        var accounts: [String] = []
        var json = false
        var noAlerts = false
        var webhook: String?
        var flags: [String] = []

        var index = 0
        func value(for option: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count, !arguments[index].hasPrefix("--") || arguments[index] == "-" else {
                throw UsageError(message: "\(option) needs a value")
            }
            return arguments[index]
        }

        func take(_ option: String, _ inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            return try value(for: option)
        }

        while index < arguments.count {
            let argument = arguments[index]
            let (name, inline) = Self.split(argument)
            switch name {
            case "--config": configPath = try take(name, inline)
            case "--state-dir": stateDirectory = try take(name, inline)
            case "--account":
                accounts.append(try take(name, inline))
                flags.append(name)
            case "--webhook":
                webhook = try take(name, inline)
                flags.append(name)
            case "--json":
                json = true
                flags.append(name)
            case "--no-alerts":
                noAlerts = true
                flags.append(name)
            case "--version", "-V": positional.insert("version", at: 0)
            case "--help", "-h": positional.insert("help", at: 0)
            default:
                if argument.hasPrefix("-") { throw UsageError(message: "unknown option \(argument)") }
                positional.append(argument)
            }
            index += 1
        }

        let commandName = positional.first ?? "run"
        let extra = Array(positional.dropFirst())
        func allow(_ allowed: Set<String>) throws(UsageError) {
            if let flag = flags.first(where: { !allowed.contains($0) }) {
                throw UsageError(message: "\(flag) does not apply to '\(commandName)'")
            }
        }
        func noExtra() throws(UsageError) {
            if let first = extra.first { throw UsageError(message: "unexpected argument '\(first)'") }
        }

        let command: Command
        switch commandName {
        case "run":
            try allow([])
            try noExtra()
            command = .run
        case "check":
            try allow(["--account", "--json", "--no-alerts"])
            try noExtra()
            command = .check(accounts: accounts, json: json, noAlerts: noAlerts)
        case "check-config":
            try allow([])
            try noExtra()
            command = .checkConfig
        case "status":
            try allow(["--json"])
            try noExtra()
            command = .status(json: json)
        case "test-alert":
            try allow(["--webhook"])
            try noExtra()
            command = .testAlert(webhook: webhook)
        case "version":
            command = .version
        case "help":
            guard extra.count <= 1 else { throw UsageError(message: "help takes at most one command") }
            if let topic = extra.first, !commands.contains(topic) {
                throw UsageError(message: "no such command '\(topic)'")
            }
            command = .help(topic: extra.first)
        default:
            throw UsageError(message: "no such command '\(commandName)'")
        }
        return CommandLineOptions(command: command, configPath: configPath, stateDirectory: stateDirectory)
    }

    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}
