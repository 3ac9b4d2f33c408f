import AlibabaCloud
import FoundationEssentials
import RootwatchCore
import RootwatchLinux

/// `rootwatchd test-alert [--webhook NAME]`: sends a `test` alert to the journal and straight to every
/// (or the named) webhook — not through the daemon or the outbox — and prints one result per webhook.
///
/// Webhook filters (`accounts =`, `kinds =`) do not apply: the point is to prove each receiver, its
/// URL, secret and certificate work. Each webhook gets `DeliveryTrial`'s bounded retries, all at once.
struct TestAlertCommand {
    let bootstrap: Bootstrap
    let webhook: String?

    /// The account name test alerts carry (no configured account is involved).
    static let account = "rootwatchd-test"

    func run() async -> Int32 {
        let environment = bootstrap.environment
        guard let configuration = bootstrap.loadConfiguration() else { return Bootstrap.ExitCode.usage }
        let targets: [WebhookConfiguration]
        if let webhook {
            guard let named = configuration.webhook(named: webhook) else {
                printError("rootwatchd: no [webhook \(webhook)] in \(environment.configPath)")
                return Bootstrap.ExitCode.usage
            }
            targets = [named]
        } else {
            targets = configuration.webhooks
        }

        let context = bootstrap.webhookContext()
        let now = Date()
        let alert = Alert(
            kind: .test, account: Self.account, accountID: nil, activityTime: now, detectedAt: now,
            window: DurationText.format(configuration.daemon.window), source: .test,
            message: "Test alert from rootwatchd on \(context.host) at \(Timestamp.format(now))")

        if environment.journalAvailable {
            do {
                try await JournalAlertSink().emit(alert)
                print("journal: written (alert id \(alert.id))")
            } catch {
                print("journal: failed: \(error)")
            }
        } else {
            print("journal: not available (alert id \(alert.id))")
        }
        if targets.isEmpty {
            print("no webhooks configured")
            return Bootstrap.ExitCode.ok
        }

        let transport: CurlTransport
        do {
            transport = try CurlTransport()
        } catch {
            printError("rootwatchd: libcurl: \(error)")
            return Bootstrap.ExitCode.failure
        }
        let trial = DeliveryTrial(transport: transport)
        let outcomes = await withTaskGroup(of: (String, DeliveryTrial.Outcome).self) { group in
            for target in targets {
                let renderer = Bootstrap.renderer(for: target, context: context)
                group.addTask { (target.name, await trial.deliver(alert, to: target, renderer: renderer)) }
            }
            var outcomes: [String: DeliveryTrial.Outcome] = [:]
            for await (name, outcome) in group { outcomes[name] = outcome }
            return outcomes
        }
        await transport.shutdown()

        var allDelivered = true
        for target in targets {
            let label = "webhook \(target.name) (\(target.format.rawValue), \(maskURL(target.url)))"
            switch outcomes[target.name] {
            case .delivered(let attempts)?:
                print("\(label): delivered" + (attempts > 1 ? " after \(attempts) attempts" : ""))
            case .failed(let reason)?:
                allDelivered = false
                print("\(label): failed: \(reason)")
            case nil:
                allDelivered = false
                print("\(label): failed: no result")
            }
        }
        return allDelivered ? Bootstrap.ExitCode.ok : Bootstrap.ExitCode.failure
    }
}
