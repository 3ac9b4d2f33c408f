import RootwatchCore
import RootwatchTestSupport
import Testing

@Suite struct KeyedLockTests {
    @Test func oneKeyTakesTurnsInOrderAndOtherKeysDoNotWait() async {
        let lock = KeyedLock()
        let inside = Locked([String: Int]())
        let peak = Locked([String: Int]())
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                let key = index % 2 == 0 ? "a" : "b"
                group.addTask {
                    await lock.withLock(key) {
                        let now = inside.withLock {
                            $0[key, default: 0] += 1
                            return $0[key, default: 0]
                        }
                        peak.withLock { $0[key] = max($0[key] ?? 0, now) }
                        await Task.yield()
                        inside.withLock { $0[key, default: 0] -= 1 }
                    }
                }
            }
        }
        #expect(peak.value == ["a": 1, "b": 1])
        #expect(inside.value == ["a": 0, "b": 0])
    }

    @Test func differentKeysRunTogether() async {
        // "b" completes while "a" is held: keys are independent.
        let lock = KeyedLock()
        let order = Locked([String]())
        let release = AsyncStream<Void>.makeStream()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await lock.withLock("a") {
                    for await _ in release.stream { break }
                    order.withLock { $0.append("a done") }
                }
            }
            group.addTask {
                await lock.withLock("b") { order.withLock { $0.append("b done") } }
                release.continuation.yield()
            }
        }
        #expect(order.value == ["b done", "a done"])
    }
}
