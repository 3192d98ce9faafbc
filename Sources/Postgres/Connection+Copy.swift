import CLibPQ

extension Connection {
    /// Streams rows into `COPY … FROM STDIN` (text format) as `rows` produces them and returns the number
    /// of rows the server stored. Memory stays flat: rows go out in 64 KiB chunks.
    ///
    /// Each row is a list of text values (`nil` for NULL), escaped here for COPY's text format. If `rows`
    /// throws, or the server rejects a row, the COPY is ended, its results drained and the error thrown;
    /// the connection stays usable (inside a transaction the transaction is aborted, as usual).
    @discardableResult
    public func copyIn<Rows: Sequence>(_ statement: PostgresQuery, rows: Rows) throws -> Int
    where Rows.Element == [String?] {
        try copyIn(statement) { writer in
            for row in rows { try writer.write(row) }
        }
    }

    /// Like `copyIn(_:rows:)`, with a producer that writes rows one at a time.
    @discardableResult
    public func copyIn(_ statement: PostgresQuery, _ produce: (inout CopyWriter) throws -> Void) throws -> Int {
        let handle = try liveHandle()
        let started = try send(statement)
        let status = PQresultStatus(started)
        if status != PGRES_COPY_IN {
            defer { PQclear(started) }
            _ = try rows(of: started, for: statement)
            throw PostgresError(code: .usage, message: "copyIn needs a COPY … FROM STDIN statement")
        }
        PQclear(started)
        var writer = CopyWriter(handle: handle)
        var producerError: (any Error)?
        do {
            try produce(&writer)
            try writer.flush()
        } catch {
            producerError = error
        }
        let endResult = PQputCopyEnd(handle, producerError == nil ? nil : "aborted by the client")
        // Drain every result, even after an error, or the connection stays busy.
        var serverError: PostgresError?
        var stored = 0
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                stored = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if serverError == nil {
                serverError = error(from: result)
            }
            PQclear(result)
        }
        if let producerError, !(producerError is PostgresError && serverError != nil) { throw producerError }
        if let serverError { throw serverError }
        if endResult != 1 { throw lostOrFailed("COPY could not be completed") }
        return stored
    }
}

/// Writes rows of a COPY in progress, escaping each value for the text format.
public struct CopyWriter {
    private let handle: OpaquePointer
    private var buffer: [UInt8] = []
    /// Rows written so far.
    public private(set) var rowCount = 0
    private static let chunkSize = 64 * 1024

    init(handle: OpaquePointer) {
        self.handle = handle
        buffer.reserveCapacity(Self.chunkSize + 1024)
    }

    /// Appends one row; `nil` is NULL. Sends a chunk whenever 64 KiB have gathered.
    public mutating func write(_ row: [String?]) throws {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(0x09) }
            guard let value else {
                buffer.append(contentsOf: [0x5C, 0x4E])  // \N
                continue
            }
            // Most values need no escaping: those are copied whole.
            let plain = value.utf8.withContiguousStorageIfAvailable { bytes in
                guard !bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return false }
                buffer.append(contentsOf: bytes)
                return true
            }
            if plain == true { continue }
            for byte in value.utf8 {
                switch byte {
                case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])  // backslash
                case 0x09: buffer.append(contentsOf: [0x5C, 0x74])  // \t
                case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])  // \n
                case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])  // \r
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(0x0A)
        rowCount += 1
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// Sends what has gathered.
    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else {
            throw PostgresError(code: .copy, message: "sending COPY data failed: " + Connection.errorMessage(of: handle))
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
