import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real HTTP receiver on 127.0.0.1 for webhook tests: records each POST (headers and body) and answers
/// 200. `stop()` closes the socket (the receiver is "down": connections are refused); `start()` listens
/// again on the same port.
public final class WebhookReceiver: @unchecked Sendable {
    public struct Request: Sendable {
        public let headers: [String: String]
        public let body: Data
        public var idempotencyKey: String? { headers["idempotency-key"] }
    }

    public private(set) var port: UInt16 = 0
    private let lock = NSLock()
    private var listener: Int32 = -1
    private var received: [Request] = []
    private var thread: Thread?
    /// While `holding`, each request is recorded and then left unanswered until `release()`; `arrived`
    /// counts the requests recorded, for `waitForRequests`.
    private let gate = NSCondition()
    private var holding = false
    private var arrived = 0

    public init() throws { try start() }

    deinit { stop() }

    public var requests: [Request] { lock.withLock { received } }

    /// Starts listening (on a fresh port the first time, on the same port afterwards).
    public func start() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError(message: "socket() failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw TestSetupError(message: "bind/listen on 127.0.0.1:\(port) failed")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: actual.sin_port)
        lock.withLock { listener = fd }
        let thread = Thread { [weak self] in self?.acceptLoop(fd) }
        thread.start()
        self.thread = thread
    }

    /// Stops listening: new connections are refused until `start()`.
    public func stop() {
        let fd = lock.withLock { () -> Int32 in
            defer { listener = -1 }
            return listener
        }
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    public var url: String { "http://127.0.0.1:\(port)/hook" }

    /// From now on, requests are recorded (`requests` shows them at once) but not answered until `release()`:
    /// a sender is then in the middle of a delivery for as long as a test needs.
    public func hold() {
        gate.withLock { holding = true }
    }

    /// Waits until `count` requests have arrived in all, or `timeout` passes; true when they came. A blocking
    /// wait on the arrivals themselves: no polling, no suspension a busy test runner could stretch.
    public func waitForRequests(_ count: Int, timeout: Duration = .seconds(30)) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        return gate.withLock {
            while arrived < count {
                if !gate.wait(until: deadline) { return arrived >= count }
            }
            return true
        }
    }

    /// Answers the requests held, and the ones to come at once.
    public func release() {
        gate.withLock {
            holding = false
            gate.broadcast()
        }
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            handle(client)
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Range<Data.Index>?
        var contentLength = 0
        while true {
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { return }
            data.append(contentsOf: buffer[0..<count])
            if headerEnd == nil, let range = data.range(of: Data("\r\n\r\n".utf8)) {
                headerEnd = range
                let head = String(decoding: data[..<range.lowerBound], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        contentLength = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
            if let headerEnd, data.count - headerEnd.upperBound >= contentLength { break }
        }
        guard let headerEnd else { return }
        let head = String(decoding: data[..<headerEnd.lowerBound], as: UTF8.self)
        var headers: [String: String] = [:]
        for line in head.split(separator: "\r\n").dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let body = data[headerEnd.upperBound..<(headerEnd.upperBound + contentLength)]
        lock.withLock { received.append(Request(headers: headers, body: Data(body))) }
        gate.withLock {
            arrived += 1
            gate.broadcast()
            while holding { gate.wait() }
        }
        let response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }
}
