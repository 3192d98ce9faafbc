import CLibPQ

/// Transaction isolation levels, as `BEGIN ISOLATION LEVEL …` spells them.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"

    var beginStatement: PostgresQuery {
        switch self {
        case .readCommitted: "BEGIN ISOLATION LEVEL READ COMMITTED"
        case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
        case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
        }
    }
}

extension Connection {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    ///
    /// With `retries > 0`, a serialization failure or deadlock (at any statement or at `COMMIT`) rolls
    /// back and runs `body` again, up to `retries` more times; `body` must then be safe to repeat.
    /// Transactions do not nest: calling this inside `body` is a usage error.
    public func withTransaction<T>(
        isolation: IsolationLevel = .readCommitted, retries: Int = 0, _ body: (Connection) throws -> T
    ) throws -> T {
        guard !inTransaction else {
            throw PostgresError(code: .usage, message: "withTransaction does not nest")
        }
        var attempt = 0
        while true {
            do {
                return try transactionOnce(isolation: isolation, body)
            } catch let error as PostgresError {
                let retryable = error.sqlState == .serializationFailure || error.sqlState == .deadlockDetected
                guard retryable, attempt < retries else { throw error }
                attempt += 1
            }
        }
    }

    private func transactionOnce<T>(isolation: IsolationLevel, _ body: (Connection) throws -> T) throws -> T {
        try execute(isolation.beginStatement)
        unreadFailure = nil
        inTransaction = true
        defer { inTransaction = false }
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackQuietly()
            throw error
        }
        do {
            try commit()
        } catch {
            rollbackQuietly()
            throw error
        }
        return value
    }

    /// COMMIT, which the server answers with ROLLBACK when a statement in the transaction had failed
    /// unnoticed (one started and never read): that is an error too, the statement's own when known.
    private func commit() throws {
        let statement: PostgresQuery = "COMMIT"
        let result = try send(statement)
        defer { PQclear(result) }
        _ = try rows(of: result, for: statement)
        guard String(cString: PQcmdStatus(result)) == "COMMIT" else {
            throw unreadFailure ?? PostgresError(code: .server, message: "the transaction was rolled back at COMMIT: a statement in it had failed")
        }
    }

    /// A rollback whose own failure must not hide the error that caused it; on a broken connection
    /// there is nothing to roll back (the server already discarded the transaction).
    private func rollbackQuietly() {
        guard isUsable else { return }
        _ = try? execute("ROLLBACK")
    }
}
