import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One kept-alive HTTP/1.1 connection to 127.0.0.1: requests are written as given (several at once to
/// pipeline them) and responses read back one at a time, framed by `Content-Length` or chunked encoding.
public final class HTTPConnection {
    private let fd: Int32
    private var buffer = Data()

    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError(message: "socket() failed") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestSetupError(message: "connect to 127.0.0.1:\(port) failed (errno \(errno))")
        }
    }

    deinit { close(fd) }

    /// The text of a GET request (no `Connection: close`).
    public static func request(_ path: String, headers: [String: String] = [:]) -> String {
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
    }

    /// Writes the requests in one `send`, so the server sees them pipelined.
    public func send(_ requests: [String]) throws {
        let bytes = Array(requests.joined().utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw TestSetupError(message: "send failed (errno \(errno))") }
            sent += count
        }
    }

    /// Reads the next response.
    public func next() throws -> HTTPResult {
        let headEnd = try fill { $0.range(of: Data("\r\n\r\n".utf8))?.upperBound }
        let head = String(decoding: buffer[buffer.startIndex..<headEnd], as: UTF8.self).split(separator: "\r\n")
        buffer = Data(buffer[headEnd...])
        let status = head.first.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { fields[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        var body = Data()
        if status == 304 || status == 204 {
        } else if fields["transfer-encoding"]?.lowercased() == "chunked" {
            let end = try fill { $0.range(of: Data("\r\n0\r\n\r\n".utf8))?.upperBound }
            body = HTTPClient.dechunk(Data(buffer[buffer.startIndex..<end]))
            buffer = Data(buffer[end...])
        } else {
            let length = Int(fields["content-length"] ?? "0") ?? 0
            let end = try fill { $0.count >= length ? $0.startIndex + length : nil }
            body = Data(buffer[buffer.startIndex..<end])
            buffer = Data(buffer[end...])
        }
        return HTTPResult(status: status, headers: fields, body: body)
    }

    /// Receives until `complete` finds where what it needs ends.
    private func fill(until complete: (Data) -> Data.Index?) throws -> Data.Index {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = complete(buffer) { return end }
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { throw TestSetupError(message: "the connection ended before a whole response (errno \(errno))") }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}
