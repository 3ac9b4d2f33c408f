/// Operational logging, shaped like swift-log: a constant message, dotted metadata keys, and a level
/// chosen for the audience. Alerts are not logs: they go through `AlertSink`.
package struct Logger: Sendable {
    package var handler: any LogHandler
    /// Metadata attached to every entry of this logger (e.g. `ROOTWATCH_ACCOUNT`).
    package var metadata: [String: String]

    package init(handler: any LogHandler, metadata: [String: String] = [:]) {
        self.handler = handler
        self.metadata = metadata
    }

    /// A logger that adds `extra` to every entry.
    package func with(_ extra: [String: String]) -> Logger {
        Logger(handler: handler, metadata: metadata.merging(extra) { _, new in new })
    }

    package func log(_ level: LogLevel, _ message: String, _ fields: [String: String] = [:]) {
        handler.log(LogEntry(level: level, message: message, fields: metadata.merging(fields) { _, new in new }))
    }

    package func error(_ message: String, _ fields: [String: String] = [:]) { log(.error, message, fields) }
    package func warning(_ message: String, _ fields: [String: String] = [:]) { log(.warning, message, fields) }
    package func notice(_ message: String, _ fields: [String: String] = [:]) { log(.notice, message, fields) }
    package func info(_ message: String, _ fields: [String: String] = [:]) { log(.info, message, fields) }
    package func debug(_ message: String, _ fields: [String: String] = [:]) { log(.debug, message, fields) }
}

/// syslog levels, as journald stores them in `PRIORITY`.
package enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case error = 3
    case warning = 4
    case notice = 5
    case info = 6
    case debug = 7

    package static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue > rhs.rawValue }
}

/// One log entry. Field names are journal field names (upper-case, e.g. `ROOTWATCH_ACCOUNT`,
/// `MESSAGE_ID`), so the journal handler passes them through and a terminal handler can print them.
package struct LogEntry: Sendable, Equatable {
    package var level: LogLevel
    package var message: String
    package var fields: [String: String]

    package init(level: LogLevel, message: String, fields: [String: String] = [:]) {
        self.level = level
        self.message = message
        self.fields = fields
    }
}

/// Where log entries go: the journal in production, stderr on a terminal, memory in tests.
package protocol LogHandler: Sendable {
    func log(_ entry: LogEntry)
}

/// Where alerts go. The journal sink and the webhook outbox implement it; `emit` returns only once
/// the alert is durably recorded by that sink (journal written, outbox file fsynced).
package protocol AlertSink: Sendable {
    func emit(_ alert: Alert) async throws
}
