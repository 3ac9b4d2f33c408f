import Dispatch
import Glibc

/// The signals the daemon acts on.
package enum UnixSignal: Int32, Sendable, CaseIterable {
    /// Reload the configuration.
    case hangup = 1
    /// Shut down (systemd's stop).
    case terminate = 15
    /// Shut down (Ctrl-C on a terminal).
    case interrupt = 2
}

/// Delivers SIGHUP, SIGTERM and SIGINT as an `AsyncStream`, so the root task group treats signals like
/// any other event (swift-service-lifecycle's `UnixSignalsSequence`).
///
/// Dispatch signal sources on Linux read a `signalfd`, which only sees signals that are blocked rather
/// than handled. `signals(_:)` therefore sets each signal's disposition to ignore (so a thread that
/// has not blocked it cannot be killed by the default action) and blocks it in the calling thread.
/// The kernel discards a process-directed signal that is ignored and not blocked in the main thread,
/// so **bootstrap must call `signals(_:)` (or `blockSignals(_:)`) from the main thread before it starts
/// any other thread**: every later thread then inherits the block and `kill`/`systemctl stop` reach the
/// stream. The dispositions stay ignored after the stream ends: by then the daemon is shutting down.
package enum SignalStream {
    /// Ignores and blocks `signals` in the calling thread (and threads it creates afterwards).
    package static func blockSignals(_ signals: [UnixSignal] = UnixSignal.allCases) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals {
            Glibc.signal(signal.rawValue, SIG_IGN)
            sigaddset(&set, signal.rawValue)
        }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// A stream yielding each delivery of `signals`, until the consumer stops iterating.
    ///
    /// Events that arrive faster than they are consumed are kept (unbounded; signals are rare).
    package static func signals(_ signals: [UnixSignal] = UnixSignal.allCases) -> AsyncStream<UnixSignal> {
        blockSignals(signals)
        let (stream, continuation) = AsyncStream.makeStream(of: UnixSignal.self)
        let queue = DispatchQueue(label: "rootwatchd.signals")
        let sources = signals.map { signal in
            let source = DispatchSource.makeSignalSource(signal: signal.rawValue, queue: queue)
            // Standard signals do not queue: repeats before the handler runs arrive as one event.
            source.setEventHandler { continuation.yield(signal) }
            source.resume()
            return source
        }
        let box = SourceBox(sources)
        continuation.onTermination = { _ in
            box.cancel()
        }
        return stream
    }
}

/// Keeps the Dispatch sources alive for the stream's lifetime and cancels them when it ends.
///
/// Unchecked: the array is immutable and `DispatchSource.cancel()` may be called from any thread.
private final class SourceBox: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(_ sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    func cancel() {
        for source in sources {
            source.cancel()
        }
    }
}
