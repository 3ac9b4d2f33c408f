import Synchronization

/// A value shared between test tasks: a class around `Mutex` so closures can capture it.
package final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    package init(_ value: Value) { mutex = Mutex(value) }

    package func withLock<Result: Sendable>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try mutex.withLock { try body(&$0) }
    }

    package var value: Value { mutex.withLock { $0 } }
}
