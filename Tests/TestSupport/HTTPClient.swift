import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A response as it came over the wire (headers lowercased; body not decoded).
public struct HTTPResult: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A minimal HTTP/1.1 client over a real socket to 127.0.0.1, so tests see exactly what was sent:
/// no transparent decompression, no caching.
public enum HTTPClient {
    public static func get(port: Int, path: String, headers: [String: String] = [:]) throws -> HTTPResult {
        try request("GET", port: port, path: path, headers: headers)
    }

    /// One request with `method` over a connection of its own (`Connection: close`).
    public static func request(_ method: String, port: Int, path: String, headers: [String: String] = [:]) throws -> HTTPResult {
        let fd = try connectLoopback(port: port)
        defer { close(fd) }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else {
            throw TestSetupError(message: "no HTTP response from 127.0.0.1:\(port)\(path)")
        }
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self).split(separator: "\r\n")
        let status = head.first.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { fields[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        var body = Data(data[split.upperBound...])
        if fields["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return HTTPResult(status: status, headers: fields, body: body)
    }

    /// A TCP socket connected to 127.0.0.1:`port`, reads timing out after 30 s (a hung server fails the
    /// test instead of hanging it).
    static func connectLoopback(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
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
        return fd
    }

    static func dechunk(_ data: Data) -> Data {
        var result = Data()
        var index = data.startIndex
        while let lineEnd = data[index...].range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0], radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            result.append(data[start..<min(start + size, data.endIndex)])
            index = min(start + size + 2, data.endIndex)
        }
        return result
    }
}
