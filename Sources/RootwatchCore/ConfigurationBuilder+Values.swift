/// Typed readers for single values, and the `[daemon]` and `[endpoints]` sections built from them. Each
/// reader records an error and returns the default (or nil) for a bad value, so one load reports every
/// problem.
extension ConfigurationBuilder {
    /// A duration of at least `minimum`, or `fallback` when the key is not set.
    func duration(
        _ section: MergedSection, _ key: String, default fallback: Duration, minimum: Duration = .seconds(1)
    ) -> Duration {
        guard let entry = section.entry(key) else { return fallback }
        guard let value = try? DurationText.parse(entry.value) else {
            fail(section, key, "\(quoted(entry.value)) is not a duration (use 30m, 24h, 7d)")
            return fallback
        }
        guard value >= minimum else {
            fail(section, key, "\(quoted(entry.value)) is below the minimum of \(DurationText.format(minimum))")
            return fallback
        }
        return value
    }

    /// A whole number in `range`.
    func integer(_ section: MergedSection, _ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let entry = section.entry(key) else { return fallback }
        guard entry.value.utf8.count <= 9, let value = Int(entry.value), range.contains(value) else {
            fail(
                section, key,
                "\(quoted(entry.value)) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            return fallback
        }
        return value
    }

    /// `yes`/`no` (also `true`/`false`, `on`/`off`, `1`/`0`).
    func boolean(_ section: MergedSection, _ key: String, default fallback: Bool) -> Bool {
        guard let entry = section.entry(key) else { return fallback }
        switch entry.value.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default:
            fail(section, key, "\(quoted(entry.value)) is not yes or no")
            return fallback
        }
    }

    /// One of the raw values of `T`.
    func choice<T: RawRepresentable & CaseIterable>(_ section: MergedSection, _ key: String, default fallback: T) -> T
    where T.RawValue == String {
        guard let entry = section.entry(key) else { return fallback }
        guard let value = T(rawValue: entry.value) else {
            let names = T.allCases.map(\.rawValue)
            let list = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
            fail(section, key, "\(quoted(entry.value)) is not \(list)")
            return fallback
        }
        return value
    }

    /// An absolute path.
    func path(_ section: MergedSection, _ key: String) -> String? {
        guard let entry = section.entry(key) else { return nil }
        guard entry.value.hasPrefix("/") else {
            fail(section, key, "\(quoted(entry.value)) is not an absolute path")
            return nil
        }
        return entry.value
    }

    /// A URL allowed by `policy`.
    func url(
        _ section: MergedSection, _ key: String, default fallback: String, policy: EndpointPolicy = .standard
    ) -> String {
        guard let entry = section.entry(key) else { return fallback }
        if let problem = urlProblem(entry.value, policy: policy) {
            fail(section, key, problem)
            return fallback
        }
        return entry.value
    }

    /// Why `value` is not an allowed URL, quoting it masked: a webhook URL (Slack, Teams, WeCom) or
    /// an endpoint with user info may itself be a credential. An unparsable value is not echoed.
    func urlProblem(_ value: String, policy: EndpointPolicy) -> String? {
        guard let problem = policy.problem(with: value) else { return nil }
        let masked = maskURL(value)
        return masked == "****" ? problem : "\(quoted(masked)) \(problem)"
    }

    /// Quotes a configuration value for an error message (never used for secrets).
    func quoted(_ value: String) -> String {
        "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    func buildDaemon(_ section: MergedSection?) -> DaemonConfiguration {
        var daemon = DaemonConfiguration()
        guard let section else { return daemon }
        daemon.interval = duration(section, "interval", default: daemon.interval, minimum: .seconds(60))
        daemon.window = duration(section, "window", default: daemon.window, minimum: .seconds(60))
        daemon.jitterPercent = jitter(section, default: daemon.jitterPercent)
        daemon.concurrency = integer(section, "concurrency", default: daemon.concurrency, range: 1...1024)
        daemon.staleAfter = duration(section, "stale_after", default: daemon.staleAfter, minimum: .seconds(60))
        daemon.actiontrailInterval = duration(
            section, "actiontrail_interval", default: daemon.actiontrailInterval, minimum: .seconds(10))
        daemon.actiontrailOverlap = duration(
            section, "actiontrail_overlap", default: daemon.actiontrailOverlap, minimum: .zero)
        daemon.metricsFile = path(section, "metrics_file")
        daemon.signature = choice(section, "signature", default: daemon.signature)
        daemon.requestTimeout = duration(
            section, "request_timeout", default: daemon.requestTimeout, minimum: .seconds(1))
        return daemon
    }

    /// `jitter = 10%`: a whole percentage from 0 to 50.
    private func jitter(_ section: MergedSection, default fallback: Int) -> Int {
        guard let entry = section.entry("jitter") else { return fallback }
        guard let value = try? PercentText.parse(entry.value, range: 0...50) else {
            fail(section, "jitter", "\(quoted(entry.value)) is not a percentage from 0% to 50%")
            return fallback
        }
        return value
    }

    func buildEndpoints(_ section: MergedSection?) -> EndpointConfiguration {
        var endpoints = EndpointConfiguration()
        guard let section else { return endpoints }
        endpoints.ims = url(section, "ims", default: endpoints.ims)
        endpoints.sts = url(section, "sts", default: endpoints.sts)
        endpoints.actiontrail = url(section, "actiontrail", default: endpoints.actiontrail, policy: .regionTemplate)
        endpoints.metadata = url(section, "metadata", default: endpoints.metadata, policy: .metadataService)
        return endpoints
    }
}
