import Foundation
import Postgres
import Testing
import TestSupport

/// A statement sent now and read later: the caller works while the server does.
@Suite("statements in flight")
struct PendingQueryTests {
    /// The statement waits on the server for a lock another session holds; `start` must return anyway (a
    /// blocking `start` would run into the lock timeout and fail the test), and the rows arrive once the
    /// lock is released.
    @Test("start returns while the server is still working; rows() waits for the result")
    func startDoesNotWait() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let first = try database.connect()
            let second = try database.connect()
            try first.execute("SET lock_timeout = '20s'")
            #expect(try second.tryAdvisoryLock(7))
            let pending = try first.start("SELECT pg_advisory_lock(7), \(41) + 1 AS answer")
            #expect(try second.advisoryUnlock(7))
            let rows = try pending.rows()
            #expect(try rows.first?.decode(Int.self, at: 1) == 42)
            #expect(try second.tryAdvisoryLock(7) == false, "the statement in flight took the lock")
            #expect(try pending.rows().count == 1, "reading again gives the same rows")
        }
    }

    @Test("another statement on the connection reads the one in flight first; each gets its own rows")
    func interleaved() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            let pending = try connection.start("SELECT generate_series(1, \(3))")
            #expect(try connection.query("SELECT \("b")::text").first?.decode(String.self, at: 0) == "b")
            let next = try connection.start("SELECT \(5)::int")
            #expect(try pending.rows().map { try $0.decode(Int.self, at: 0) } == [1, 2, 3])
            #expect(try next.rows().first?.decode(Int.self, at: 0) == 5)
        }
    }

    @Test("a failing statement's error comes from rows(); the connection and a transaction around it recover")
    func failures() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            let pending = try connection.start("SELECT 1 / \(0)")
            #expect(throws: PostgresError.self) { try pending.rows() }
            do {
                _ = try pending.rows()
            } catch let error as PostgresError {
                #expect(error.sqlState?.rawValue == "22012")
            }
            #expect(try connection.query("SELECT 1").count == 1)
            try connection.execute("CREATE TABLE t (x int)")
            // Left in flight when the transaction fails: the rollback reads it first, and nothing is kept.
            #expect(throws: PostgresError.self) {
                try connection.withTransaction { tx in
                    try tx.execute("INSERT INTO t VALUES (1)")
                    _ = try tx.start("INSERT INTO t VALUES (\(2))")
                    throw PostgresError(code: .usage, message: "abandoned")
                }
            }
            #expect(try connection.query("SELECT count(*) FROM t").first?.decode(Int.self, at: 0) == 0)
        }
    }

    /// Started, failed, never read: the server has rolled the transaction back, so COMMIT must not report
    /// success — it throws the statement's own error.
    @Test("a transaction whose started statement failed unread does not commit, and says why")
    func unreadFailureFailsCommit() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            try connection.execute("CREATE TABLE t (x int)")
            do {
                try connection.withTransaction { tx in
                    try tx.execute("INSERT INTO t VALUES (1)")
                    _ = try tx.start("INSERT INTO t VALUES (1 / \(0))")
                }
                Issue.record("the transaction reported success")
            } catch let error as PostgresError {
                #expect(error.sqlState?.rawValue == "22012", "\(error)")
            }
            #expect(try connection.query("SELECT count(*) FROM t").first?.decode(Int.self, at: 0) == 0)
            // Read, the failure is the caller's to handle; the next transaction starts clean.
            try connection.withTransaction { tx in
                try tx.execute("INSERT INTO t VALUES (2)")
            }
            #expect(try connection.query("SELECT count(*) FROM t").first?.decode(Int.self, at: 0) == 1)
        }
    }

    @Test("a COPY to the client, sent either way, is refused and the connection still answers")
    func copyOut() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            #expect(throws: PostgresError.self) { try connection.query("COPY (SELECT generate_series(1, 1000)) TO STDOUT") }
            #expect(try connection.query("SELECT \(3)::int").first?.decode(Int.self, at: 0) == 3)
            let pending = try connection.start("COPY (SELECT generate_series(1, 1000)) TO STDOUT")
            #expect(throws: PostgresError.self) { try pending.rows() }
            #expect(try connection.query("SELECT \(4)::int").first?.decode(Int.self, at: 0) == 4)
        }
    }

    @Test("closing the connection with a statement in flight fails that statement instead of losing it")
    func closedInFlight() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            let pending = try connection.start("SELECT 1")
            connection.close()
            do {
                _ = try pending.rows()
                Issue.record("rows() of a closed connection's statement succeeded")
            } catch let error as PostgresError {
                #expect(error.code == .connectionLost)
            }
        }
    }
}
