import Foundation

/// Runs the built `pledgewatch` binary as cron or an administrator would, capturing its output.
public struct CommandResult: Sendable, CustomStringConvertible {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

public enum Pledgewatch {
    /// env(1)'s option that gives a command the default action of the signals tests send or provoke.
    public static let defaultSignals = "--default-signal=PIPE,INT,HUP,TERM"

    /// Writes `data` to a command's standard input on a thread of its own with SIGPIPE blocked, and waits:
    /// a command may end without reading all of its input (refusing it early), and the write then fails
    /// with EPIPE — no failure of the test's — instead of killing the test process. (Ignoring SIGPIPE
    /// process-wide would be inherited by every command the tests start.)
    static func feed(_ data: Data, to handle: FileHandle) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            try? handle.write(contentsOf: data)
            // A refused write leaves SIGPIPE pending on this thread: take it before the thread ends.
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 {
                var taken: Int32 = 0
                sigwait(&pipeSignal, &taken)
            }
            done.signal()
        }
        thread.start()
        done.wait()
    }

    /// The binary: `PLEDGEWATCH_BIN`, else `pledgewatch` beside the test bundle in the build folder.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["PLEDGEWATCH_BIN"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("pledgewatch")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/pledgewatch")
    }

    /// Runs `pledgewatch arguments…` against `database` and waits for it. Its standard output goes to
    /// `stdout` when given (`/dev/full`, say; the result's `stdout` is then empty), else it is captured.
    public static func run(
        _ arguments: [String], database: String? = nil, stdin: String? = nil, environment extra: [String: String] = [:],
        directory: URL? = nil, stdout: FileHandle? = nil
    ) throws -> CommandResult {
        let process = Process()
        // Through env(1), SIGPIPE, SIGINT, SIGHUP and SIGTERM at their default actions, whatever this test
        // process inherited (a background job's ignored SIGINT, say): the command behaves as from a shell.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [Self.defaultSignals, binary.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        if let database { environment["DATABASE_URL"] = database }
        environment.merge(extra) { _, new in new }
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = stdout ?? out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // Read both pipes while the process runs, so a large output cannot fill a pipe and stall it.
        let outData = LockedData()
        let errData = LockedData()
        let group = DispatchGroup()
        for (pipe, sink) in (stdout == nil ? [(out, outData)] : []) + [(err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        if let stdin { Self.feed(Data(stdin.utf8), to: input.fileHandleForWriting) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
            stderr: String(decoding: errData.get(), as: UTF8.self))
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
