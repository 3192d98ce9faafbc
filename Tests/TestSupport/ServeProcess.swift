import Foundation

/// A `pledgewatch serve` running in the background, as systemd would run it.
public final class ServeProcess: @unchecked Sendable {
    public let process = Process()
    public private(set) var port = 0
    private let stderrPipe = Pipe()
    private let stdoutPipe = Pipe()
    /// Everything the daemon has written on stderr so far, read by a thread of its own.
    private let stderrLog = StreamLog()

    /// Starts the daemon and waits (bounded) for the line announcing its port.
    public init(database: String, arguments: [String] = [], environment extra: [String: String] = [:]) throws {
        process.executableURL = Pledgewatch.binary
        process.arguments = ["serve", "--listen", "127.0.0.1:0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = database
        environment["PLEDGEWATCH_LOG_LEVEL"] = environment["PLEDGEWATCH_LOG_LEVEL"] ?? "warning"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        try process.run()
        stderrLog.follow(stderrPipe.fileHandleForReading)
        // The first stdout line names the port; reading blocks until it is written (or the process dies).
        var line = Data()
        let handle = stdoutPipe.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let portText = text.split(separator: ":").last, let port = Int(portText) else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            throw TestSetupError(message: "serve did not start: \(text) \(stderr)")
        }
        self.port = port
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Sends a signal and waits for the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }

    public var isRunning: Bool { process.isRunning }

    /// What the daemon has written on stderr so far.
    public var stderr: String { stderrLog.text }

    /// Waits until the daemon's stderr contains `text`, or closes, or `timeout` passes (a bounded wait for
    /// a line the daemon logs, not a sleep); true when the text came.
    public func waitForStderr(containing text: String, timeout: Duration = .seconds(30)) -> Bool {
        stderrLog.wait(for: text, timeout: timeout)
    }

    /// Sends a signal and returns at once (`waitForExit` waits).
    public func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status.
    public func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    public func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPResult {
        try HTTPClient.get(port: port, path: path, headers: headers)
    }

    /// Polls `path` until `condition` holds, up to `attempts` × `every` (a bounded wait, not a sleep).
    public func poll(
        _ path: String, headers: [String: String] = [:], attempts: Int = 150, every: Duration = .milliseconds(200),
        until condition: (HTTPResult) -> Bool
    ) async throws -> HTTPResult? {
        for _ in 0..<attempts {
            if let result = try? get(path, headers: headers), condition(result) { return result }
            try await Task.sleep(for: every)
        }
        return nil
    }
}

/// The bytes a stream has given so far, read to its end by a thread of its own.
final class StreamLog: @unchecked Sendable {
    private let condition = NSCondition()
    private var bytes = Data()
    private var ended = false

    func follow(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                condition.withLock {
                    bytes.append(chunk)
                    ended = chunk.isEmpty
                    condition.broadcast()
                }
                if chunk.isEmpty { return }
            }
        }.start()
    }

    var text: String { condition.withLock { String(decoding: bytes, as: UTF8.self) } }

    func wait(for text: String, timeout: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        return condition.withLock {
            while !String(decoding: bytes, as: UTF8.self).contains(text) {
                if ended || !condition.wait(until: deadline) { return String(decoding: bytes, as: UTF8.self).contains(text) }
            }
            return true
        }
    }
}
