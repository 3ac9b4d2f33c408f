import Dispatch

/// Runs blocking work (write, fsync, rename, journal sends) on a dedicated serial Dispatch queue and
/// suspends the calling task until it finishes.
///
/// Swift's cooperative pool has one thread per core — two on the target machines — so one `fsync`
/// on it halves the daemon. Work handed to `run` occupies a queue thread instead; the task awaits
/// through a continuation and its pool thread is free meanwhile. Each instance is one serial queue:
/// work on it runs in submission order, which also serializes writers that share it. Give unrelated
/// I/O (state writes, webhook outbox files) separate instances so one slow disk write does not queue
/// behind another. The work is not cancellable once started; keep each call short and bounded.
package struct BlockingIO: Sendable {
    /// The queue for callers that have no reason to keep their own.
    package static let shared = BlockingIO(label: "rootwatchd.blocking-io")

    private let queue: DispatchQueue

    /// A new serial queue; `label` names its thread in debuggers and crash dumps.
    package init(label: String) {
        queue = DispatchQueue(label: label, qos: .utility)
    }

    /// Runs `work` on this instance's queue and returns its result or rethrows its error.
    package func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    /// Runs non-throwing `work` on this instance's queue and returns its result.
    package func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            queue.async {
                continuation.resume(returning: work())
            }
        }
    }

    /// Runs `work` on the shared queue.
    package static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await shared.run(work)
    }
}
