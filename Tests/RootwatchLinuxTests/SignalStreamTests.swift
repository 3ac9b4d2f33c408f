import Foundation
import RootwatchLinux
import Testing

/// Signals are process-wide: this suite is the only one that sends any, and only SIGHUP (SIGTERM or
/// SIGINT could end the test runner if something went wrong).
@Suite(.serialized) struct SignalStreamTests {
    @Test func aHangupArrivesOnTheStream() async throws {
        let stream = SignalStream.signals([.hangup])
        let received = await withTaskGroup(of: [UnixSignal]?.self) { group in
            group.addTask {
                var seen: [UnixSignal] = []
                for await signal in stream {
                    seen.append(signal)
                    if seen.count == 2 { return seen }
                }
                return seen
            }
            group.addTask {
                // Process-directed, like `systemctl reload` / `kill -HUP`; twice, spaced so both count.
                kill(getpid(), SIGHUP)
                try? await Task.sleep(for: .milliseconds(200))
                kill(getpid(), SIGHUP)
                try? await Task.sleep(for: .seconds(10))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        #expect(received == [.hangup, .hangup])
    }
}
