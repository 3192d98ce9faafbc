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
        fd = try HTTPClient.connectLoopback(port: port)
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
