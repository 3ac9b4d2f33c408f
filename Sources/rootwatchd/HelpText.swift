/// What `--help` and `help COMMAND` print.
enum HelpText {
    static let version = "0.1.0"

    static let overview = """
        rootwatchd — alerts when an Alibaba Cloud root account is used

        Usage: rootwatchd [--config PATH] [--state-dir PATH] COMMAND [OPTIONS]

        Commands:
          run            run the daemon (the default; what the systemd unit starts)
          check          scan now, print findings and per-account status
          check-config   validate the configuration and secrets, print a summary
          status         show each account's state from the state file
          test-alert     send a test alert to the journal and webhooks
          help COMMAND   show help for a command

        Options:
          --config PATH     configuration file (default /etc/rootwatchd/rootwatchd.conf,
                            then rootwatchd.conf.d/*.conf beside it)
          --state-dir PATH  state directory (default $STATE_DIRECTORY, else /var/lib/rootwatchd)
          --version         print the version
          --help            print this help

        Alerts go to the journal (journalctl -u rootwatchd) and to the configured webhooks.
        """

    static func forCommand(_ name: String) -> String {
        switch name {
        case "run":
            return """
                Usage: rootwatchd run

                Runs the daemon: scans every account on its interval, alerts on new root activity,
                delivers webhooks. Talks to systemd (Type=notify: READY, STATUS, WATCHDOG).
                SIGHUP reloads the configuration; SIGTERM stops cleanly.
                Exit status: 0 on a clean stop, 2 when the configuration is invalid at start.
                """
        case "check":
            return """
                Usage: rootwatchd check [--account NAME]... [--json] [--no-alerts]

                Runs one scan now for every account (or the named ones), after one ActionTrail poll for
                accounts with actiontrail = yes, prints the findings and each account's status, and sends
                alerts like the daemon.
                  --account NAME  scan only this account (repeatable)
                  --json          print one JSON document for scripts
                  --no-alerts     send nothing and leave the state untouched (shows what would be raised)
                Exit status: 0 no root activity in the window; 3 root activity found; 1 some account could
                not be scanned (3 wins over 1); 2 usage or configuration error.
                """
        case "check-config":
            return """
                Usage: rootwatchd check-config

                Parses and validates the configuration and every referenced secret, then prints a
                summary with secrets left out and AccessKey IDs masked.
                Exit status: 0 valid; 2 invalid.
                """
        case "status":
            return """
                Usage: rootwatchd status [--json]

                Shows, per account, the last successful scan, report time, last root logon and key use,
                MFA, last alert, consecutive failures and the next scan, from the state file; and per
                webhook, the pending and dead-lettered deliveries and the last error, from the outbox.
                Exit status: 0; 2 when there is no state yet.
                """
        case "test-alert":
            return """
                Usage: rootwatchd test-alert [--webhook NAME]

                Sends a test alert to the journal and straight to every webhook (or the named one), not
                through the daemon; webhook filters (accounts, kinds) do not apply. Waits up to 30 s per
                webhook, retrying what can be retried, and prints one result line per webhook.
                Exit status: 0 all delivered; 1 otherwise.
                """
        default:
            return overview
        }
    }
}
