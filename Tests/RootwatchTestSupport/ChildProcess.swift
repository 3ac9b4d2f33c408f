import Foundation
import Synchronization

/// A process a test starts (a loopback server, a command-line tool), with its output captured and
/// a guaranteed SIGKILL at the end.
///
/// Waiting never blocks the cooperative pool (two threads on the test host): output goes to files
/// (no pipes, so no readability handlers, whose teardown while a child dies has crashed
/// libdispatch's event loop here) and every wait polls those files with a deadline. Children of `Foundation.Process` inherit
/// a blocked SIGTERM, so the process is stopped with SIGKILL; the deinitialiser kills it too, so a
/// failing test cannot leave a server behind.
package final class ChildProcess: Sendable {
    /// Why a child did not do what the test waited for; carries its output for the failure message.
    package enum Failure: Error, CustomStringConvertible {
        case launch(command: [String], reason: String)
        case exited(command: [String], status: Int32, output: String)
        case timedOut(command: [String], waitingFor: String, output: String)

        package var description: String {
            switch self {
            case .launch(let command, let reason):
                "cannot start \(command.joined(separator: " ")): \(reason)"
            case .exited(let command, let status, let output):
                "\(command.joined(separator: " ")) exited with status \(status)\n\(output)"
            case .timedOut(let command, let waitingFor, let output):
                "\(command.joined(separator: " ")) timed out waiting for \(waitingFor)\n\(output)"
            }
        }
    }

    /// The exit status, filled in from a Dispatch thread.
    private struct State {
        var exitStatus: Int32?
    }

    /// The state in a reference the Dispatch-side handlers can capture (a `Mutex` cannot be captured).
    private final class SharedState: Sendable {
        let mutex = Mutex(State())

        func withLock<R: Sendable>(_ body: (inout State) -> R) -> R {
            mutex.withLock { body(&$0) }
        }
    }

    package let command: [String]
    package let pid: Int32
    private let process: Process
    private let state: SharedState
    /// A directory of the child's own: `stdout` and `stderr` files, removed with the child.
    private let outputDirectory: URL
    private static let pollInterval: Duration = .milliseconds(10)

    /// Starts `command` (the first element is looked up on `PATH` unless it contains a slash) with
    /// the test's environment plus `environment`, stdin from /dev/null.
    package init(_ command: [String], environment: [String: String] = [:]) throws {
        precondition(!command.isEmpty, "ChildProcess needs a command")
        self.command = command
        let state = SharedState()
        self.state = state
        let process = Process()
        if command[0].contains("/") {
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rootwatch-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        outputDirectory = directory
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        defer {
            try? stdout.close()  // the child has its own copies
            try? stderr.close()
        }
        process.standardOutput = stdout
        process.standardError = stderr
        process.terminationHandler = { finished in
            let status = finished.terminationStatus
            state.withLock { $0.exitStatus = status }
        }
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw Failure.launch(command: command, reason: "\(error)")
        }
        self.process = process
        pid = process.processIdentifier
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: outputDirectory)
    }

    /// Starts a server that prints `LISTENING <url>` once it accepts connections, and returns it
    /// with that URL. The child is killed if it exits or stays silent past `timeout`.
    package static func startServer(
        _ command: [String],
        environment: [String: String] = [:],
        timeout: Duration = .seconds(20)
    ) async throws -> (process: ChildProcess, url: String) {
        let child = try ChildProcess(command, environment: environment)
        do {
            let url = try await child.waitForLine(prefix: "LISTENING ", timeout: timeout)
            return (child, url)
        } catch {
            child.kill()
            throw error
        }
    }

    /// Runs `command` to completion and returns its standard output; throws when it fails or overruns.
    package static func run(_ command: [String], timeout: Duration = .seconds(30)) async throws -> String {
        let child = try ChildProcess(command)
        defer { child.kill() }
        let status = try await child.waitForExit(timeout: timeout)
        guard status == 0 else {
            throw Failure.exited(command: command, status: status, output: child.combinedOutput)
        }
        return child.standardOutput
    }

    /// Runs `command` to completion (SIGKILL after `timeout`) and returns its exit status and output,
    /// whatever the status.
    package static func output(
        _ command: [String], environment: [String: String] = [:], timeout: Duration = .seconds(30)
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(command, environment: environment)
        defer { child.kill() }
        let status = try await child.waitForExit(timeout: timeout)
        return (status, child.standardOutput, child.standardError)
    }

    /// What the child has written to stdout so far.
    package var standardOutput: String { output("stdout") }

    /// What the child has written to stderr so far.
    package var standardError: String { output("stderr") }

    private func output(_ name: String) -> String {
        let data = (try? Data(contentsOf: outputDirectory.appendingPathComponent(name))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private var combinedOutput: String {
        "stdout:\n\(standardOutput)\nstderr:\n\(standardError)"
    }

    /// Waits for a complete stdout line starting with `prefix` and returns the rest of it.
    package func waitForLine(prefix: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            // The status first: output written before the exit is then in the file when it is read.
            let status = state.withLock { $0.exitStatus }
            let lines = standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
            // The last element is an unfinished line (or empty after a final newline).
            for line in lines.dropLast() where line.hasPrefix(prefix) {
                return String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if let status {
                throw Failure.exited(command: command, status: status, output: combinedOutput)
            }
            guard ContinuousClock.now < deadline else {
                throw Failure.timedOut(
                    command: command, waitingFor: "a line starting with \(prefix)", output: combinedOutput)
            }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    /// Waits for the child to exit and returns its exit status (or the signal number for a signal death).
    package func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = state.withLock({ $0.exitStatus }) {
                return status
            }
            guard ContinuousClock.now < deadline else {
                throw Failure.timedOut(command: command, waitingFor: "exit", output: combinedOutput)
            }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    /// Sends SIGKILL unless the child has already exited; never waits. Idempotent.
    package func kill() {
        let exited = state.withLock { $0.exitStatus != nil }
        if !exited {
            _ = Foundation.kill(pid, SIGKILL)
        }
    }

    /// Kills the child and waits (bounded) until it is reaped.
    package func stop(timeout: Duration = .seconds(5)) async throws {
        kill()
        _ = try await waitForExit(timeout: timeout)
    }
}
