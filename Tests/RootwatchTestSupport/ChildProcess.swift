import Foundation

/// Runs a helper program to completion with a deadline, without blocking the cooperative pool.
///
/// Output goes to a temporary file instead of a pipe, so nothing ever blocks on a read; termination is
/// awaited through `terminationHandler`. On timeout the child gets SIGKILL (SIGTERM may be blocked in
/// children of Dispatch threads, testing.md trap 5) and is awaited, so no test leaves a process behind.
package enum ChildProcess {
    /// The result of one run.
    package struct Output: Sendable {
        package var status: Int32
        package var stdout: Data
        package var stderr: Data
    }

    /// A run that did not finish in time.
    package struct Timeout: Error, CustomStringConvertible {
        package var command: [String]
        package var description: String { "\(command.joined(separator: " ")) did not finish in time" }
    }

    /// Runs `executable` with `arguments` and returns its exit status and output.
    package static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        timeout: Duration = .seconds(20)
    ) async throws -> Output {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rootwatch-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let exited = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { process in
            exited.continuation.yield(process.terminationStatus)
            exited.continuation.finish()
        }
        try process.run()

        let pid = process.processIdentifier
        let (status, timedOut) = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                guard (try? await Task.sleep(for: timeout)) != nil else { return false }
                kill(pid, SIGKILL)
                return true
            }
            // Always wait for the exit, also after a SIGKILL, so the child is reaped before returning.
            var status: Int32 = -1
            for await value in exited.stream { status = value }
            group.cancelAll()
            var timedOut = false
            for await fired in group { timedOut = timedOut || fired }
            return (status, timedOut)
        }
        if timedOut {
            throw Timeout(command: [executable] + arguments)
        }
        return Output(
            status: status, stdout: try Data(contentsOf: outURL), stderr: try Data(contentsOf: errURL))
    }
}
