import CLibPQ
import Foundation

/// A statement sent to the server and not read yet: the server works on it while the caller does
/// something else (an export parses one batch while the server reads the next). One may be in flight per
/// connection; any other use of the connection first reads it, keeping its rows or its error for `rows()`.
/// A failure nobody reads still fails the transaction around it (its COMMIT throws). It belongs to the
/// thread that started it (it is not `Sendable`, so it cannot leave a pooled connection's closure).
public final class PendingQuery {
    private weak var connection: Connection?
    let query: PostgresQuery
    var outcome: Result<PostgresRows, any Error>?

    init(connection: Connection, query: PostgresQuery) {
        self.connection = connection
        self.query = query
    }

    /// The statement's rows, waiting for them if they have not arrived; its error, if it failed.
    public func rows() throws -> PostgresRows {
        if outcome == nil { connection?.settleInFlight() }
        guard let outcome else { throw PostgresError(code: .connectionLost, message: "the connection closed before the statement's result was read") }
        if case .failure = outcome { connection?.unreadFailure = nil }
        return try outcome.get()
    }
}

extension Connection {
    /// Sends a statement with bound parameters and returns at once; `rows()` on the result reads it.
    public func start(_ query: PostgresQuery) throws -> PendingQuery {
        let handle = try liveHandle()
        let sent = Self.withParameters(of: query) { count, types, values in
            PQsendQueryParams(handle, query.sql, count, types, values, nil, nil, 0)
        }
        guard sent == 1 else { throw lostOrFailed("the statement could not be sent") }
        let pending = PendingQuery(connection: self, query: query)
        inFlight = pending
        return pending
    }

    /// Reads the statement in flight, if any, to its end, and hands its outcome to its `PendingQuery`.
    func settleInFlight() {
        guard let pending = inFlight else { return }
        inFlight = nil
        guard let handle else {
            pending.outcome = .failure(PostgresError(code: .connectionLost, message: "the connection is closed"))
            return
        }
        var first: OpaquePointer?
        while let result = PQgetResult(handle) {
            // A COPY would hand out its result again and again: reading it (refusing it) is `rows(of:)`'s.
            let status = PQresultStatus(result)
            if first == nil { first = result } else { PQclear(result) }
            if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH { break }
        }
        guard let first else {
            pending.outcome = .failure(lostOrFailed("the statement's result could not be read"))
            return
        }
        defer { PQclear(first) }
        pending.outcome = Result { try rows(of: first, for: pending.query) }
        if case .failure(let error as PostgresError) = pending.outcome { unreadFailure = error }
    }

    /// The statement in flight, if any, fails with `error` (the connection is closed or broken).
    func failInFlight(_ error: PostgresError) {
        inFlight?.outcome = .failure(error)
        inFlight = nil
    }
}
