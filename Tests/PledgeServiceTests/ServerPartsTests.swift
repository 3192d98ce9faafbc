import Foundation
import Hummingbird
import PledgeCore
import Testing
import TestSupport

@testable import PledgeService

@Suite("server parts")
struct ServerPartsTests {
    @Test("gzip round-trips and shrinks repetitive JSON")
    func gzip() throws {
        let body = Data(String(repeating: "{\"pledge\":\"eu-1m-rounds\",\"delivered\":\"300000\"},", count: 500).utf8)
        let compressed = try #require(Gzip.compress(body))
        #expect(compressed.count < body.count / 10)
        #expect(compressed.prefix(2) == Data([0x1F, 0x8B]), "a gzip member, not raw deflate")
        #expect(Gzip.decompress(compressed) == body)
        #expect(Gzip.decompress(Data("not gzip".utf8)) == nil)
        // Output of several chunks (256 KiB each) both ways: 1 MB that does not compress, and 8 MB that
        // compresses well; a stream cut short is refused.
        var generator = SystemRandomNumberGenerator()
        let noise = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let packed = try #require(Gzip.compress(noise))
        #expect(packed.count > 1 << 20)
        #expect(Gzip.decompress(packed) == noise)
        #expect(Gzip.decompress(packed.prefix(packed.count / 2)) == nil)
        let large = (0..<400).reduce(into: Data()) { whole, _ in whole.append(body) }
        #expect(large.count > 8 << 20)
        #expect(Gzip.decompress(try #require(Gzip.compress(large))) == large)
    }

    @Test("If-None-Match matches lists, weak forms and *, and nothing else")
    func etags() {
        let etag = "\"abc\""
        #expect(ETag.matches("\"abc\"", etag))
        #expect(ETag.matches("\"x\", W/\"abc\"", etag))
        #expect(ETag.matches("*", etag))
        #expect(!ETag.matches("\"abd\"", etag))
        #expect(!ETag.matches(nil, etag))
        #expect(ETag.hash(Data("a".utf8)) != ETag.hash(Data("b".utf8)))
    }

    @Test("the Date header is RFC 9110's IMF-fixdate, as Foundation formats it, across leap days and centuries")
    func httpDate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        // Every 7 days 3 hours 17 minutes 11 seconds from 1969 to 2101: all weekdays, months and leap days.
        for seconds in stride(from: -86_400 * 400, through: 4_133_980_800, by: 7 * 86_400 + 3 * 3600 + 17 * 60 + 11) {
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            if HTTPDate.format(seconds) != expected {
                Issue.record("\(seconds): \(HTTPDate.format(seconds)) ≠ \(expected)")
                return
            }
        }
    }

    @Test("Accept-Encoding: gzip unless refused with q=0")
    func acceptEncoding() {
        #expect(DashboardResponses.acceptsGzip("gzip"))
        #expect(DashboardResponses.acceptsGzip("deflate, gzip;q=0.5"))
        #expect(DashboardResponses.acceptsGzip("*"))
        #expect(!DashboardResponses.acceptsGzip("gzip;q=0"))
        #expect(!DashboardResponses.acceptsGzip("br"))
        #expect(!DashboardResponses.acceptsGzip(nil))
    }

    @Test("bearer tokens compare equal only when identical, whatever their lengths")
    func constantTime() {
        typealias M = BearerTokenMiddleware<Hummingbird.BasicRequestContext>
        #expect(M.constantTimeEqual(Array("secret-token".utf8), Array("secret-token".utf8)))
        #expect(!M.constantTimeEqual(Array("secret-tokem".utf8), Array("secret-token".utf8)))
        #expect(!M.constantTimeEqual(Array("secret".utf8), Array("secret-token".utf8)))
        #expect(!M.constantTimeEqual([], Array("x".utf8)))
    }

    @Test("--listen accepts HOST:PORT, :PORT and PORT, and names the field when wrong")
    func listen() throws {
        var configuration = ServeConfiguration()
        try configuration.setListen("0.0.0.0:9090")
        #expect(configuration.host == "0.0.0.0" && configuration.port == 9090)
        try configuration.setListen(":0")
        #expect(configuration.port == 0)
        try configuration.setListen("8081")
        #expect(configuration.port == 8081)
        #expect(throws: InputError.self) { try configuration.setListen("localhost:http") }
        #expect(throws: InputError.self) { try configuration.setListen("127.0.0.1:70000") }
    }

    @Test(
        "a signal wakes a waiting loop, before or after it starts waiting; without one the wait times out",
        .timeLimit(.minutes(1)))
    func wakeup() async {
        let wakeup = Wakeup()
        wakeup.signal()
        await wakeup.wait(timeout: .seconds(3600))  // returns only because the early signal was remembered
        let waiter = Task { await wakeup.wait(timeout: .seconds(3600)) }
        wakeup.signal()
        await waiter.value  // woken, whether it registered before or after the signal
        await wakeup.wait(timeout: .milliseconds(1))  // no signal pending: returns at its timeout
        let cancelled = Task { await wakeup.wait(timeout: .seconds(3600)) }
        cancelled.cancel()
        await cancelled.value  // graceful shutdown cancels loops: a cancelled wait returns
    }

    @Test("metrics render in the Prometheus text format with counters, gauges and a histogram")
    func metrics() {
        let metrics = ServerMetrics()
        metrics.observeRequest(route: "/v1/dashboard", status: 200, seconds: 0.002)
        metrics.observeRequest(route: "/v1/dashboard", status: 304, seconds: 0.0004)
        metrics.setLeader(true)
        metrics.evaluationSucceeded(seconds: 0.5, at: Date(timeIntervalSince1970: 1_700_000_000))
        let text = metrics.render(document: nil)
        #expect(text.contains("# TYPE pledgewatch_http_requests_total counter"))
        #expect(text.contains("pledgewatch_http_requests_total{route=\"/v1/dashboard\",status=\"304\"} 1"))
        #expect(text.contains("pledgewatch_http_request_duration_seconds_bucket{route=\"/v1/dashboard\",le=\"0.0005\"} 1"))
        #expect(text.contains("pledgewatch_http_request_duration_seconds_count{route=\"/v1/dashboard\"} 2"))
        #expect(text.contains("pledgewatch_leader 1"))
        #expect(text.contains("pledgewatch_last_successful_evaluation_timestamp_seconds 1700000000"))
    }

    @Test("an atomic write replaces the file whole and leaves no temporary file")
    func atomicFile() throws {
        try Self.inScratchDirectory { directory, path in
            try AtomicFile.write(Data("old".utf8), to: path)
            try AtomicFile.write(Data("new contents".utf8), to: path)
            #expect(FileManager.default.contents(atPath: path) == Data("new contents".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["dashboard.json"])
            #expect(throws: AtomicFileError.self) { try AtomicFile.write(Data(), to: "/nonexistent-dir/x.json") }
        }
    }

    @Test("a streamed atomic write keeps every piece in order, small pieces buffered, large ones written as they are")
    func atomicFileStreamed() throws {
        try Self.inScratchDirectory { directory, path in
            // Sizes on both sides of the 64 KiB buffer (a large piece arriving on an empty buffer, and after
            // small ones) and past 8 MiB in all, where writeback is started; each piece's bytes are its own.
            let sizes = [10, 70_000, 3, 65_536, 65_535, 1, 1 << 20, 17, 5 << 20, 2 << 20, 100, 0, 200_000]
            var expected = Data()
            try AtomicFile.write(to: path) { sink in
                for (index, size) in sizes.enumerated() {
                    let piece = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &* 7) })
                    expected.append(piece)
                    try piece.withUnsafeBytes { try sink($0) }
                }
            }
            #expect(expected.count > 8 << 20)
            // Compared first: a failed `#expect(a == b)` of megabytes would diff the two byte by byte.
            let written = FileManager.default.contents(atPath: path)
            let whole = written == expected
            #expect(whole, "\(written?.count ?? 0) of \(expected.count) bytes in the file")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["dashboard.json"])
        }
    }

    @Test("an atomic write keeps the replaced file's permissions, and its owner and group where the process may set them")
    func atomicFileKeepsModeAndOwner() throws {
        try Self.inScratchDirectory { directory, path in
            try AtomicFile.write(Data("old".utf8), to: path)
            #expect(chmod(path, 0o640) == 0)
            // As root (CI), the old file is given to another user; otherwise it stays this process's.
            let owner: (uid_t, gid_t) = getuid() == 0 ? (1234, 1234) : (getuid(), getgid())
            #expect(chown(path, owner.0, owner.1) == 0)
            try AtomicFile.write(Data("new contents".utf8), to: path)
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_mode & 0o7777 == 0o640)
            #expect(info.st_uid == owner.0 && info.st_gid == owner.1)
            #expect(FileManager.default.contents(atPath: path) == Data("new contents".utf8))
            // A new file: the usual mode (0644 less the umask), this process's owner.
            let fresh = directory.appendingPathComponent("fresh.json").path
            try AtomicFile.write(Data("x".utf8), to: fresh)
            // The umask, read without setting it (tests run in parallel).
            let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") })
            let mask = try #require(mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8))
            #expect(stat(fresh, &info) == 0 && info.st_mode & 0o7777 == 0o644 & ~mask && info.st_uid == getuid())
        }
    }

    @Test("an atomic write through a symbolic link replaces the file it points to and keeps the link")
    func atomicFileThroughLink() throws {
        try Self.inScratchDirectory { directory, path in
            let real = directory.appendingPathComponent("real.json").path
            try AtomicFile.write(Data("old".utf8), to: real)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "real.json")
            try AtomicFile.write(Data("new contents".utf8), to: path)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == "real.json")
            #expect(FileManager.default.contents(atPath: real) == Data("new contents".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["dashboard.json", "real.json"])
        }
    }

    @Test("someone else's symbolic link is replaced, not followed; a dangling one too")
    func atomicFileDoesNotFollowOthersLinks() throws {
        try Self.inScratchDirectory { directory, path in
            let victim = directory.appendingPathComponent("victim.txt").path
            try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
            // Only root can give a link to another user; elsewhere the link is this user's, and followed.
            guard getuid() == 0 else { return }
            #expect(lchown(path, 1234, 1234) == 0)
            try AtomicFile.write(Data("dashboard".utf8), to: path)
            #expect(FileManager.default.contents(atPath: victim) == Data("precious".utf8))
            var info = stat()
            #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
            #expect(FileManager.default.contents(atPath: path) == Data("dashboard".utf8))

            let dangling = directory.appendingPathComponent("dangling.json").path
            try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory.appendingPathComponent("nowhere/x").path)
            try AtomicFile.write(Data("new".utf8), to: dangling)
            #expect(lstat(dangling, &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
        }
    }

    @Test("/dev/stdout and /dev/fd/N are this process's descriptors, written to as they are")
    func atomicFileInheritedDescriptors() throws {
        #expect(AtomicFile.Target.inherited("/dev/stdout") == 1)
        #expect(AtomicFile.Target.inherited("/dev/stderr") == 2)
        #expect(AtomicFile.Target.inherited("/dev/fd/7") == 7)
        #expect(AtomicFile.Target.inherited("/proc/self/fd/1") == 1)
        #expect(AtomicFile.Target.inherited("/proc/\(getpid())/fd/4") == 4)
        #expect(AtomicFile.Target.inherited("/proc/1/fd/4") == nil)
        #expect(AtomicFile.Target.inherited("/tmp/dashboard.json") == nil)
        #expect(try AtomicFile.Target("/dev/stdout") == .descriptor(1))
    }

    @Test("a target that is not a regular file (a named pipe) is written to as it is, and stays what it was")
    func atomicFileIntoPipe() throws {
        try Self.inScratchDirectory { directory, path in
            #expect(mkfifo(path, 0o600) == 0)
            let contents = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            // Opened for reading first (read-write, so the open does not wait for a writer), then written in
            // the background: 300 kB is more than a pipe holds, so the writer waits for this reader.
            let reader = open(path, O_RDWR | O_NONBLOCK)
            try #require(reader >= 0)
            defer { close(reader) }
            let write = BackgroundTask { try AtomicFile.write(contents, to: path) }
            var received = Data()
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while received.count < contents.count {
                // The timeout only ends a failing run (a writer that never writes to the pipe).
                var ready = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 30_000) == 1 else { break }
                let count = read(reader, &buffer, buffer.count)
                if count > 0 { received.append(contentsOf: buffer[0..<count]) }
            }
            try write.value()
            // Compared first: a failed `#expect(a == b)` of 300 kB would diff the two byte by byte, for minutes.
            let whole = received == contents
            #expect(whole, "\(received.count) of \(contents.count) bytes came through the pipe")
            var info = stat()
            #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["dashboard.json"])
        }
    }

    @Test("a directory is refused before anything is written")
    func atomicFileRefusesDirectory() throws {
        try Self.inScratchDirectory { directory, _ in
            var called = false
            #expect {
                try AtomicFile.write(to: directory.path) { _ in called = true }
            } throws: { error in
                "\(error)" == "could not write \(directory.path) (open): Is a directory"
            }
            #expect(!called)
            let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(left.isEmpty)
        }
    }

    /// Runs `body` with a fresh directory and the path of a file in it ("dashboard.json", not yet
    /// there); the directory is removed afterwards.
    static func inScratchDirectory(_ body: (_ directory: URL, _ path: String) throws -> Void) throws {
        try withScratchDirectory { directory in try body(directory, directory.appendingPathComponent("dashboard.json").path) }
    }
}
