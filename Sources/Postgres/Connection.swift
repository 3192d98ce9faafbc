import CLibPQ
import Foundation

/// One libpq connection.
///
/// Threading rule (as in PostgresClientKit): no more than one thread may operate on a `Connection` at a
/// time; different connections may be used concurrently. `PostgresClient` enforces this for shared use by
/// giving each connection its own serial queue. The libpq handle never leaves this type; `close()` is
/// idempotent and `deinit` calls it.
public final class Connection: @unchecked Sendable {
    /// The libpq handle; `nil` once closed.
    var handle: OpaquePointer?
    /// Where this connection points, for messages.
    public let configuration: ConnectionConfiguration
    /// True between `BEGIN` and `COMMIT`/`ROLLBACK` issued by `withTransaction`.
    var inTransaction = false
    /// A statement sent by `start` whose result has not been read yet.
    var inFlight: PendingQuery?
    /// The error of a statement in flight that failed and that nobody has read yet: a COMMIT after it
    /// reports it (the server has rolled the transaction back).
    var unreadFailure: PostgresError?

    /// Connects, or throws `.connectionFailed` naming host, port and database (never the password).
    public init(_ configuration: ConnectionConfiguration = .resolve()) throws {
        self.configuration = configuration
        try configuration.validate()
        guard let handle = PQconnectdb(configuration.conninfo) else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let reason = ConnectionConfiguration.redact(
                ConnectionConfiguration.redact(
                    Self.errorMessage(of: handle),
                    password: configuration.target.password),
                unparsed: configuration.conninfo)
            PQfinish(handle)
            throw PostgresError(
                code: .connectionFailed,
                message: "could not connect to PostgreSQL at \(configuration.target): \(reason)",
                hint: "is PostgreSQL running there? Otherwise set --database-url or DATABASE_URL (or PGHOST, PGPORT, PGDATABASE)")
        }
        self.handle = handle
        // Server notices ("relation already exists, skipping") would otherwise be printed on stderr by
        // libpq, and cron mails stderr. Library code never prints: drop them.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        // Fixed session settings so values decode the same way whatever the server's defaults are.
        try executeScript("SET TIME ZONE 'UTC'; SET DateStyle TO 'ISO, YMD'; SET client_encoding TO 'UTF8'")
    }

    deinit { close() }

    /// Closes the connection; calling it again does nothing.
    public func close() {
        failInFlight(PostgresError(code: .connectionLost, message: "the connection was closed with a statement in flight"))
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    /// False once the connection is closed or libpq has seen it break.
    public var isUsable: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// The server process serving this connection.
    public var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    /// Runs one statement with bound parameters and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> PostgresRows {
        let result = try send(query)
        defer { PQclear(result) }
        return try rows(of: result, for: query)
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ statement: PostgresQuery) throws -> Int {
        try query(statement).affectedRows
    }

    /// Runs a script of several statements with no parameters (migration files, fixed session set-up),
    /// through the simple-query protocol. Never build `script` from values: bind them with `query`.
    public func executeScript(_ script: String) throws {
        let handle = try liveHandle()
        guard let result = PQexec(handle, script) else { throw lostOrFailed("the script could not be sent") }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            throw error(from: result)
        }
    }

    // MARK: - internals shared by the extensions

    /// The handle, once any statement still in flight has been read (its outcome kept for its owner): the
    /// connection is free for the next command.
    func liveHandle() throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(code: .connectionLost, message: "the connection is closed")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let error = PostgresError(code: .connectionLost, message: "the connection to \(configuration.target) is broken")
            failInFlight(error)
            throw error
        }
        settleInFlight()
        return handle
    }

    /// Sends a statement through `PQexecParams`; the caller owns (and must clear) the result.
    func send(_ query: PostgresQuery) throws -> OpaquePointer {
        let handle = try liveHandle()
        let result = Self.withParameters(of: query) { count, types, values in
            PQexecParams(handle, query.sql, count, types, values, nil, nil, 0)
        }
        guard let result else { throw lostOrFailed("the statement could not be sent") }
        return result
    }

    /// The query's bound values as libpq takes them (text format), valid during `body`.
    static func withParameters<T>(
        of query: PostgresQuery,
        _ body: (Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?) -> T
    ) -> T {
        let values = query.bindings.values.map { value in value.flatMap { strdup($0) } }
        defer { values.forEach { free($0) } }
        return values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointers in
            query.bindings.typeOIDs.withUnsafeBufferPointer { types in
                body(Int32(values.count), types.baseAddress, valuePointers.baseAddress)
            }
        }
    }

    func rows(of result: OpaquePointer, for query: PostgresQuery) throws -> PostgresRows {
        let status = PQresultStatus(result)
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            let fieldCount = Int(PQnfields(result))
            let columns = (0..<fieldCount).map { String(cString: PQfname(result, Int32($0))) }
            let rows = (0..<Int(PQntuples(result))).map { row in
                PostgresRow(
                    columns: columns,
                    values: (0..<fieldCount).map { field -> String? in
                        if PQgetisnull(result, Int32(row), Int32(field)) == 1 { return nil }
                        return String(cString: PQgetvalue(result, Int32(row), Int32(field)))
                    })
            }
            return PostgresRows(columns: columns, rows: rows, affectedRows: Int(String(cString: PQcmdTuples(result))) ?? 0)
        case PGRES_COPY_IN, PGRES_COPY_OUT:
            abandonCopy()
            throw PostgresError(code: .usage, message: "COPY statements go through copyIn(_:rows:)")
        default:
            throw error(from: result)
        }
    }

    /// Builds the error for a failed result, telling a broken connection from a refused statement.
    func error(from result: OpaquePointer) -> PostgresError {
        func field(_ code: Int32) -> String? {
            PQresultErrorField(result, code).map { String(cString: $0) }
        }
        let sqlState = field(CLibPQ_DIAG_SQLSTATE).map(SQLState.init(rawValue:))
        let message = field(CLibPQ_DIAG_MESSAGE_PRIMARY) ?? String(cString: PQresultErrorMessage(result))
        if sqlState == nil, let handle, PQstatus(handle) != CONNECTION_OK {
            return PostgresError(code: .connectionLost, message: "the connection to \(configuration.target) was lost: \(message)")
        }
        return PostgresError(
            code: .server, sqlState: sqlState, message: message,
            detail: field(CLibPQ_DIAG_MESSAGE_DETAIL), hint: field(CLibPQ_DIAG_MESSAGE_HINT),
            constraint: field(CLibPQ_DIAG_CONSTRAINT_NAME), column: field(CLibPQ_DIAG_COLUMN_NAME),
            table: field(CLibPQ_DIAG_TABLE_NAME))
    }

    /// The error for a call that returned no result at all.
    func lostOrFailed(_ what: String) -> PostgresError {
        let detail = handle.map(Self.errorMessage(of:))
        if let handle, PQstatus(handle) != CONNECTION_OK {
            return PostgresError(code: .connectionLost, message: "the connection to \(configuration.target) was lost", detail: detail)
        }
        return PostgresError(code: .server, message: what, detail: detail)
    }

    /// Ends a COPY nobody asked for and drains its results, so the connection is usable again: a COPY
    /// FROM STDIN is ended with an error, a COPY TO STDOUT read to its end and discarded.
    func abandonCopy() {
        guard let handle else { return }
        _ = PQputCopyEnd(handle, "not supported here")
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(handle, &buffer, 0) > 0 {
            PQfreemem(buffer)
            buffer = nil
        }
        while let next = PQgetResult(handle) {
            let status = PQresultStatus(next)
            PQclear(next)
            // Still in COPY after all that (the connection broke mid-copy): nothing more to read.
            if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH { break }
        }
    }
}

extension Connection {
    /// libpq's last error on `handle` as one line: it words a failure over several (`…failed: Connection
    /// refused` then `\tIs the server running…`, a line per host tried), and a message printed for cron or
    /// a log is one line.
    static func errorMessage(of handle: OpaquePointer) -> String {
        String(cString: PQerrorMessage(handle)).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
