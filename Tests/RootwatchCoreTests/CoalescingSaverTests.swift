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
}
