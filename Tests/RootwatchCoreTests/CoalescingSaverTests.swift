import RootwatchCore
import RootwatchTestSupport
import Testing

@Suite struct CoalescingSaverTests {
    struct WriteFailed: Error {}

    @Test func runWritesABurstOnceAndOnlyWhenSomethingChanged() async {
        let state = Locked(0)
        let writes = Locked<[Int]>([])
        let ticks = Locked(0)
        let saver = CoalescingSaver<Int>(
            snapshot: { state.value }, write: { value in writes.withLock { $0.append(value) } }, failed: { _ in })
        // Each call of `sleep` is the pause after a write; the script changes the state while the loop
        // sleeps. A lone change is written at once (before any pause); a burst costs one write.
        await saver.markDirty()
        await saver.run(interval: .seconds(2)) { interval in
            #expect(interval == .seconds(2))
            let tick = ticks.withLock {
                $0 += 1
                return $0
            }
            switch tick {
            case 1:
                #expect(writes.value == [0])  // written before the first pause
                for i in 1...5 {  // a burst of scans: one write, of the latest state
                    state.withLock { $0 = i }
                    await saver.markDirty()
                }
            case 2:
                state.withLock { $0 = 6 }
                await saver.markDirty()
            default: throw CancellationError()
            }
        }
        #expect(writes.value == [0, 5, 6])
        #expect(ticks.value == 3)  // one pause per write: nothing is written while nothing changes
        #expect(await saver.isClean)
    }

    @Test func runRetriesAFailedWriteOnTheNextInterval() async {
        let fail = Locked(true)
        let failures = Locked(0)
        let written = Locked<[String]>([])
        let ticks = Locked(0)
        let saver = CoalescingSaver<String>(
            snapshot: { "state" },
            write: { value in
                if fail.value { throw WriteFailed() }
                written.withLock { $0.append(value) }
            },
            failed: { _ in failures.withLock { $0 += 1 } })
        await saver.markDirty()
        await saver.run(interval: .seconds(2)) { _ in
            let tick = ticks.withLock {
                $0 += 1
                return $0
            }
            if tick == 1 { fail.withLock { $0 = false } }
            if tick == 2 { throw CancellationError() }
        }
        #expect(failures.value == 1)
        #expect(written.value == ["state"])  // written once the disk recovered, then not again
        #expect(await saver.isClean)
    }
}
