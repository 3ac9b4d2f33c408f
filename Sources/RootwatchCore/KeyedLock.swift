/// Mutual exclusion per key (an account name), for async code: the credential-report scan and the
/// ActionTrail poll of one account decide against the same state, so their decide-emit-commit steps
/// take turns, while different accounts never wait for each other. Waiters are served in order.
package actor KeyedLock {
    private var held: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    package init() {}

    /// Runs `body` while holding the lock for `key`.
    package nonisolated func withLock<T: Sendable>(_ key: String, _ body: () async -> T) async -> T {
        await acquire(key)
        let result = await body()
        await release(key)
        return result
    }

    private func acquire(_ key: String) async {
        if held.insert(key).inserted { return }
        await withCheckedContinuation { waiters[key, default: []].append($0) }
    }

    private func release(_ key: String) {
        if var queue = waiters[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiters[key] = queue.isEmpty ? nil : queue
            next.resume()  // the lock passes straight to the next waiter
        } else {
            held.remove(key)
        }
    }
}
