import RootwatchCore
import RootwatchTestSupport
import Testing

@Suite struct CoalescingSaverTests {
    struct WriteFailed: Error {}

    @Test func aBurstOfSavesWritesTheLatestSnapshotWithoutOverlap() async throws {
        let state = Locked(0)
        let writes = Locked<[Int]>([])
        let inFlight = Locked((now: 0, peak: 0))
        let saver = CoalescingSaver<Int>(
            snapshot: { state.value },
            write: { value in
                inFlight.withLock {
                    $0.now += 1
                    $0.peak = max($0.peak, $0.now)
                }
                try await Task.sleep(for: .milliseconds(5))
                writes.withLock { $0.append(value) }
                inFlight.withLock { $0.now -= 1 }
            },
            failed: { _ in })
        await withTaskGroup(of: Void.self) { group in
            for i in 1...50 {
                group.addTask {
                    state.withLock { $0 = max($0, i) }
                    await saver.save()
                }
            }
        }
        try await saver.flush()
        #expect(inFlight.value.peak == 1)
        #expect(writes.value.last == 50)
        #expect(writes.value.count < 50)  // coalesced
        #expect(writes.value == writes.value.sorted())  // never an older snapshot after a newer one
        #expect(await saver.isClean)
    }

    @Test func aFailedWriteIsReportedAndTheNextSaveRetries() async {
        let fail = Locked(true)
        let failures = Locked(0)
        let written = Locked<[String]>([])
        let saver = CoalescingSaver<String>(
            snapshot: { "state" },
            write: { value in
                if fail.value { throw WriteFailed() }
                written.withLock { $0.append(value) }
            },
            failed: { _ in failures.withLock { $0 += 1 } })
        await saver.save()
        #expect(failures.value == 1)
        #expect(await !saver.isClean)
        fail.withLock { $0 = false }
        await saver.save()
        #expect(written.value == ["state"])
        #expect(await saver.isClean)
    }

    @Test func runWritesABurstOnceAndOnlyWhenSomethingChanged() async {
        let state = Locked(0)
        let writes = Locked<[Int]>([])
        let ticks = Locked(0)
        let saver = CoalescingSaver<Int>(
            snapshot: { state.value }, write: { value in writes.withLock { $0.append(value) } }, failed: { _ in })
        // Each call of `sleep` is one interval; the script changes the state while the loop sleeps.
        await saver.run(interval: .seconds(2)) { interval in
            #expect(interval == .seconds(2))
            let tick = ticks.withLock {
                $0 += 1
                return $0
            }
            switch tick {
            case 1:
                for i in 1...5 {  // a burst of scans: one write, of the latest state
                    state.withLock { $0 = i }
                    await saver.markDirty()
                }
            case 2: break  // nothing changed: nothing written
            case 3:
                state.withLock { $0 = 6 }
                await saver.markDirty()
            default: throw CancellationError()
            }
        }
        #expect(writes.value == [5, 6])
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
            if tick == 3 { throw CancellationError() }
        }
        #expect(failures.value == 1)
        #expect(written.value == ["state"])  // written once the disk recovered, then not again
        #expect(await saver.isClean)
    }
}
