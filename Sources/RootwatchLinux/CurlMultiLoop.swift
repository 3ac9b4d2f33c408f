import AlibabaCloud
import CCurl
import Glibc
import Synchronization

/// The one thread that drives every transfer of a `CurlTransport` through one libcurl multi handle.
///
/// libcurl's easy interface blocks for the whole exchange; on Swift's cooperative pool (two threads
/// on a two-core host) two slow requests would stall the daemon. Instead, callers park on a
/// continuation and this dedicated thread waits in `curl_multi_poll` for all sockets at once, so
/// any number of requests in flight cost one thread. The multi handle's connection cache keeps
/// connections alive across requests.
///
/// Other threads talk to the loop only through `inbox` (under a mutex) followed by
/// `curl_multi_wakeup`, the one multi-handle call libcurl allows from any thread.
final class CurlMultiLoop: Sendable {
    typealias Completion = CheckedContinuation<HTTPResponse, any Error>

    /// Work handed to the loop thread, and its lifecycle.
    private struct Inbox {
        var additions: [(transfer: CurlTransfer, completion: Completion)] = []
        var cancellations: [CurlTransfer] = []
        var stopRequested = false
        /// Set by the loop thread, under the lock, just before it frees the multi handle.
        var finished = false
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// A transfer the multi handle is working on, keyed by its easy handle.
    private typealias Active = [UnsafeMutableRawPointer: (transfer: CurlTransfer, completion: Completion)]

    /// Used only by the loop thread, except `curl_multi_wakeup` while `finished` is false.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    /// Idle connections kept for reuse (libcurl closes the oldest beyond this).
    static let maxIdleConnections = 64

    /// Creates the multi handle and starts the thread that drives it.
    init() throws(TransportError) {
        try CurlGlobal.ensureInitialized()
        guard let multi = curl_multi_init() else {
            throw .other("curl_multi_init failed")
        }
        self.multi = multi
        // libcurl's default cache holds 4 idle connections per transfer currently attached, so a
        // burst followed by a lull would close connections the next burst needs.
        _ = rw_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, Self.maxIdleConnections)
        // The thread owns one reference until its loop ends.
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                Unmanaged<CurlMultiLoop>.fromOpaque(context).takeRetainedValue().run()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<CurlMultiLoop>.fromOpaque(context).release()
            curl_multi_cleanup(multi)
            throw .other("cannot start the HTTP transfer thread (error \(rc))")
        }
        pthread_detach(thread)
    }

    /// Hands `transfer` to the loop; `completion` is resumed exactly once, by the loop thread, or
    /// right here with `.cancelled` when the loop has been stopped.
    func submit(_ transfer: CurlTransfer, completion: Completion) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.stopRequested else { return false }
            inbox.additions.append((transfer: transfer, completion: completion))
            curl_multi_wakeup(multi)
            return true
        }
        if !accepted {
            completion.resume(throwing: TransportError.cancelled)
        }
    }

    /// Asks the loop to abandon `transfer` and fail it with `.cancelled`; a no-op once it finished.
    ///
    /// The flag covers a cancellation that arrives before `submit`: the loop then never starts it.
    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.store(true, ordering: .sequentiallyConsistent)
        inbox.withLock { inbox in
            guard !inbox.stopRequested else { return }
            inbox.cancellations.append(transfer)
            curl_multi_wakeup(multi)
        }
    }

    /// Tells the loop to fail everything pending with `.cancelled` and end; returns at once.
    func requestStop() {
        inbox.withLock { inbox in
            guard !inbox.stopRequested else { return }
            inbox.stopRequested = true
            curl_multi_wakeup(multi)
        }
    }

    /// Stops the loop and waits until its thread has released the multi handle.
    func stop() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let finished = inbox.withLock { inbox in
                if inbox.finished { return true }
                inbox.finishWaiters.append(waiter)
                if !inbox.stopRequested {
                    inbox.stopRequested = true
                    curl_multi_wakeup(multi)
                }
                return false
            }
            if finished {
                waiter.resume()
            }
        }
    }

    /// The thread body: take new work, let libcurl move bytes, hand back finished transfers, sleep
    /// in `curl_multi_poll` until a socket, a libcurl timer or `curl_multi_wakeup` needs attention.
    private func run() {
        var active: Active = [:]
        while true {
            let (additions, cancellations, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.additions = []
                    inbox.cancellations = []
                }
                return (inbox.additions, inbox.cancellations, inbox.stopRequested)
            }
            for (transfer, completion) in additions {
                start(transfer, completion, into: &active, refuse: stopping)
            }
            for transfer in cancellations {
                abandon(transfer, from: &active)
            }
            if stopping {
                break
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            collectFinished(from: &active)
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for (handle, entry) in active {
            curl_multi_remove_handle(multi, handle)
            Self.complete(entry.transfer, entry.completion, with: .failure(.cancelled))
        }
        let (leftovers, waiters) = inbox.withLock { inbox in
            inbox.finished = true
            defer {
                inbox.additions = []
                inbox.finishWaiters = []
            }
            return (inbox.additions, inbox.finishWaiters)
        }
        for (transfer, completion) in leftovers {
            Self.complete(transfer, completion, with: .failure(.cancelled))
        }
        curl_multi_cleanup(multi)
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Adds a transfer to the multi handle, or fails it when it was cancelled or the loop is stopping.
    private func start(_ transfer: CurlTransfer, _ completion: Completion, into active: inout Active, refuse: Bool) {
        guard !refuse, !transfer.cancelRequested.load(ordering: .sequentiallyConsistent) else {
            Self.complete(transfer, completion, with: .failure(.cancelled))
            return
        }
        guard let handle = transfer.handle else {
            Self.complete(transfer, completion, with: .failure(.other("transfer handle already released")))
            return
        }
        let code = curl_multi_add_handle(multi, handle)
        guard code == CURLM_OK else {
            let reason = String(cString: curl_multi_strerror(code))
            Self.complete(transfer, completion, with: .failure(.other("curl_multi_add_handle: \(reason)")))
            return
        }
        active[handle] = (transfer: transfer, completion: completion)
    }

    /// Removes a cancelled transfer from the multi handle (closing its connection) and fails it.
    private func abandon(_ transfer: CurlTransfer, from active: inout Active) {
        guard let handle = transfer.handle, let entry = active.removeValue(forKey: handle) else {
            return
        }
        curl_multi_remove_handle(multi, handle)
        Self.complete(entry.transfer, entry.completion, with: .failure(.cancelled))
    }

    /// Hands every transfer libcurl reports as done back to its caller.
    private func collectFinished(from active: inout Active) {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else {
                continue
            }
            // Read the result before removing the handle: removal invalidates the message.
            let code = message.pointee.data.result
            guard let entry = active.removeValue(forKey: handle) else {
                continue
            }
            curl_multi_remove_handle(multi, handle)
            Self.complete(entry.transfer, entry.completion, with: entry.transfer.outcome(code))
        }
    }

    /// Releases the easy handle on this thread, then resumes the caller.
    private static func complete(
        _ transfer: CurlTransfer,
        _ completion: Completion,
        with outcome: Result<HTTPResponse, TransportError>
    ) {
        transfer.close()
        switch outcome {
        case .success(let response): completion.resume(returning: response)
        case .failure(let error): completion.resume(throwing: error)
        }
    }
}
