import Foundation
import Hummingbird
import PledgeCore
import Synchronization

/// The rendered dashboard and what is derived from it, replaced whole when the state changes, so every
/// request reads one consistent snapshot without touching the database.
public final class DashboardCache: Sendable {
    /// One consistent rendering (a class: a request takes it with one reference, not a copy of each field).
    public final class Snapshot: Sendable {
        public let version: String
        public let document: DashboardDocument
        /// The answers to `GET /v1/dashboard`.
        let responses: DashboardResponses
        /// `GET /v1/pledges`: its frame around the dashboard body's own pledge-list contents (shared, not
        /// copied: at the benchmark's medium scale, 127 MB less per snapshot).
        let pledgeList: CachedBody
        public let pledgeEntries: [String: DashboardDocument.PledgeEntry]
        /// `GET /v1/alerts?state=…`, by state.
        let alertLists: [String: CachedBody]

        public init(version: String, document: DashboardDocument) throws {
            self.version = version
            self.document = document
            // Rendered straight into the buffer the responses are sent from. A ByteBuffer holds at most
            // 4 GiB (32-bit indices); a larger document is refused, not a crash.
            var body = ByteBuffer()
            let pledges = try DashboardRendering.dashboard(document) { piece in
                guard body.writerIndex + piece.count <= Int(UInt32.max) else { throw DocumentTooLarge() }
                body.writeBytes(piece)
            }
            responses = DashboardResponses(body: body)
            let frame = try DashboardRendering.pledgeListFrame()
            pledgeList = CachedBody(
                parts: [
                    ByteBuffer(bytes: frame.head), body.getSlice(at: body.readerIndex + pledges.lowerBound, length: pledges.count)!,
                    ByteBuffer(bytes: frame.tail),
                ], etagPrefix: "l")
            pledgeEntries = Dictionary(document.pledges.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var lists: [String: CachedBody] = [:]
            for state in ["open", "firing", "pending"] {
                let alerts = document.alerts.filter { state == "open" || $0.status == state }
                lists[state] = CachedBody(parts: [ByteBuffer(bytes: try DashboardRendering.alertList(alerts))], etagPrefix: "a")
            }
            alertLists = lists
        }

        /// Any other body (one pledge's detail), through the encoder.
        static func render<T: Encodable>(_ value: T) throws -> Data {
            var data = try DashboardDocument.encoder.encode(value)
            data.append(0x0A)
            return data
        }
    }

    private let current = Mutex<Snapshot?>(nil)
    /// Rendered `/v1/pledges/{id}` bodies (entry + assessment history) for one snapshot version: the
    /// history only changes when an evaluation does, which also changes the version.
    private let details = Mutex<(version: String, bodies: [String: Data])>(("", [:]))

    public init() {}

    public var snapshot: Snapshot? { current.withLock { $0 } }

    public func replace(with snapshot: Snapshot) { current.withLock { $0 = snapshot } }

    func pledgeDetail(_ id: String, version: String) -> Data? {
        details.withLock { $0.version == version ? $0.bodies[id] : nil }
    }

    func storePledgeDetail(_ id: String, version: String, body: Data) {
        details.withLock { cache in
            if cache.version != version { cache = (version, [:]) }
            cache.bodies[id] = body
        }
    }
}

/// A body built once per snapshot, in parts that may share memory with other bodies, with its strong ETag
/// (computed once, not per request).
struct CachedBody: Sendable {
    let parts: [ByteBuffer]
    let etag: String

    init(parts: [ByteBuffer], etagPrefix: String) {
        self.parts = parts
        var hash = ETag.FNV()
        for part in parts { part.withUnsafeReadableBytes { hash.add($0) } }
        etag = "\"" + etagPrefix + hash.hex + "\""
    }

    /// The whole body's bytes, in one piece (tests).
    var data: Data { parts.reduce(into: Data()) { $0.append(contentsOf: $1.readableBytesView) } }
}

/// A dashboard too large for the daemon's in-memory cache.
struct DocumentTooLarge: Error, CustomStringConvertible {
    var description: String {
        "the dashboard document exceeds 4 GiB, more than serve can hold in memory: serve the file `pledgewatch export` writes instead"
    }
}

/// Strong validators for responses: a 64-bit FNV-1a of the body, as hex.
enum ETag {
    static func hash(_ data: Data) -> String {
        var hash = FNV()
        data.withUnsafeBytes { hash.add($0) }
        return hash.hex
    }

    /// FNV-1a over bytes given in any number of pieces.
    struct FNV {
        private var state: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func add(_ bytes: UnsafeRawBufferPointer) {
            for byte in bytes {
                state ^= UInt64(byte)
                state = state &* 0x100_0000_01b3
            }
        }

        var hex: String { String(state, radix: 16) }
    }

    /// True when an `If-None-Match` header value matches `etag` (a list, `*`, weak forms allowed).
    static func matches(_ header: String?, _ etag: String) -> Bool {
        guard let header else { return false }
        if header == etag { return true }  // what a polling client sends back, checked without splitting
        return header.split(separator: ",").contains { candidate in
            let value = candidate.trimmingCharacters(in: .whitespaces)
            return value == "*" || value == etag || value == "W/" + etag
        }
    }
}
