import RootwatchCore

/// Sends operational log entries to the journal as structured entries.
///
/// `PRIORITY` is the entry's syslog level, `SYSLOG_IDENTIFIER` is `rootwatchd` (as for alerts, so one
/// `journalctl -t rootwatchd` shows both), and every metadata field becomes a journal field. Field names
/// are already journal names by convention (`ROOTWATCH_ACCOUNT`, `MESSAGE_ID`); other keys are
/// sanitized rather than dropped, since journald silently ignores invalid names. `MESSAGE`, `PRIORITY`
/// and `SYSLOG_IDENTIFIER` belong to the handler: metadata with those names is ignored.
///
/// `log` is synchronous, like every `LogHandler`: it is one `sendmsg` on a local datagram socket.
/// A failed send is dropped — there is nowhere better to report a failure to log.
package struct JournalLogHandler: LogHandler {
    /// Entries less severe than this are not sent.
    package var minimumLevel: LogLevel

    package init(minimumLevel: LogLevel = .info) {
        self.minimumLevel = minimumLevel
    }

    package func log(_ entry: LogEntry) {
        guard entry.level >= minimumLevel else { return }
        try? JournalWriter.send(Self.fields(for: entry))
    }

    /// The journal fields of `entry`: the three owned fields first, then metadata sorted by name.
    package static func fields(for entry: LogEntry) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [
            ("MESSAGE", entry.message),
            ("PRIORITY", String(entry.level.rawValue)),
            ("SYSLOG_IDENTIFIER", JournalAlertSink.syslogIdentifier),
        ]
        var seen: Set<String> = ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER"]
        for (key, value) in entry.fields.sorted(by: { $0.key < $1.key }) {
            guard let name = JournalFieldName.sanitized(key), seen.insert(name).inserted else { continue }
            fields.append((name, value))
        }
        return fields
    }
}
