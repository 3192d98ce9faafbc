import Foundation
import Postgres
import Testing
import TestSupport

@Suite("errors carry SQLSTATE and never leak data")
struct ErrorTests {
    private func failure(_ connection: Connection, _ query: PostgresQuery) -> PostgresError? {
        #expect(throws: PostgresError.self) { try connection.execute(query) }
    }

    @Test("each SQLSTATE surfaces as its named case")
    func sqlStates() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            try connection.executeScript(
                """
                CREATE TABLE parent (id int PRIMARY KEY);
                CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL CONSTRAINT child_parent_fk REFERENCES parent (id),
                                    amount numeric CONSTRAINT amount_positive CHECK (amount > 0));
                INSERT INTO parent VALUES (1);
                INSERT INTO child VALUES (1, 1, 5);
                """)
            let unique = failure(connection, "INSERT INTO parent VALUES (\(1))")
            #expect(unique?.sqlState == .uniqueViolation)
            #expect(unique?.constraint == "parent_pkey")
            #expect(failure(connection, "INSERT INTO child VALUES (2, \(99), 1)")?.sqlState == .foreignKeyViolation)
            let check = failure(connection, "INSERT INTO child VALUES (3, 1, \(Decimal(-1)))")
            #expect(check?.sqlState == .checkViolation)
            #expect(check?.constraint == "amount_positive")
            #expect(failure(connection, "SELECT * FROM nowhere")?.sqlState == .undefinedTable)

            // lock_not_available: another session holds the row; NOWAIT refuses at once.
            let other = try database.connect()
            try other.execute("BEGIN")
            try other.execute("SELECT * FROM parent WHERE id = 1 FOR UPDATE")
            #expect(failure(connection, "SELECT * FROM parent WHERE id = \(1) FOR UPDATE NOWAIT")?.sqlState == .lockNotAvailable)
            try other.execute("ROLLBACK")
        }
    }

    @Test("a session the server ends (57P01) breaks the connection; a cancelled statement (57014) does not")
    func sessionEndedOrStatementCancelled() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let ended = try database.connect()
            // The backend signals itself: it ends the session with 57P01 while running this statement.
            let error = failure(ended, "SELECT pg_terminate_backend(pg_backend_pid()), pg_sleep(5)")
            #expect(error?.sqlState?.rawValue == "57P01" || error?.code == .connectionLost, "\(String(reflecting: error))")
            #expect(error?.isConnectionBroken == true)
            #expect(PostgresError(code: .server, sqlState: SQLState(rawValue: "57P01"), message: "").isConnectionBroken)
            #expect(PostgresError(code: .server, sqlState: SQLState(rawValue: "08006"), message: "").isConnectionBroken)

            let cancelled = try database.connect()
            try cancelled.execute("SET statement_timeout = 1")
            let timeout = failure(cancelled, "SELECT pg_sleep(5)")
            #expect(timeout?.sqlState?.rawValue == "57014")
            #expect(timeout?.isConnectionBroken == false)
            try cancelled.execute("RESET statement_timeout")
            #expect(try cancelled.query("SELECT \(7)").scalar(Int.self) == 7)
        }
    }

    @Test("two serializable transactions that conflict give serializationFailure; the opt-in retry succeeds")
    func serializationFailureAndRetry() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let first = try database.connect()
            let second = try database.connect()
            try first.executeScript("CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO account VALUES (1, 0), (2, 0);")
            var attempts = 0
            var interfered = false
            let error = #expect(throws: PostgresError.self) {
                try first.withTransaction(isolation: .serializable) { tx in
                    _ = try tx.query("SELECT sum(balance) FROM account")
                    try second.withTransaction(isolation: .serializable) { other in
                        _ = try other.query("SELECT sum(balance) FROM account")
                        try other.execute("UPDATE account SET balance = balance + 1 WHERE id = 2")
                    }
                    try tx.execute("UPDATE account SET balance = balance + 1 WHERE id = 1")
                }
            }
            #expect(error?.sqlState == .serializationFailure)
            try first.withTransaction(isolation: .serializable, retries: 2) { tx in
                attempts += 1
                _ = try tx.query("SELECT sum(balance) FROM account")
                if !interfered {
                    interfered = true
                    try second.withTransaction(isolation: .serializable) { other in
                        _ = try other.query("SELECT sum(balance) FROM account")
                        try other.execute("UPDATE account SET balance = balance + 1 WHERE id = 2")
                    }
                }
                try tx.execute("UPDATE account SET balance = balance + 1 WHERE id = 1")
            }
            #expect(attempts == 2)
            #expect(try first.query("SELECT balance FROM account WHERE id = 1").scalar(Int.self) == 1)
        }
    }

    @Test("a throw inside withTransaction leaves nothing behind")
    func rollbackOnThrow() throws {
        struct Boom: Error {}
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            try connection.execute("CREATE TABLE t (v int)")
            #expect(throws: Boom.self) {
                try connection.withTransaction { tx in
                    try tx.execute("INSERT INTO t VALUES (\(1))")
                    try tx.execute("INSERT INTO t VALUES (\(2))")
                    throw Boom()
                }
            }
            #expect(try connection.query("SELECT count(*) FROM t").scalar(Int.self) == 0)
            // and the connection is out of the transaction, usable for the next one
            try connection.withTransaction { try $0.execute("INSERT INTO t VALUES (\(3))") }
            #expect(try connection.query("SELECT count(*) FROM t").scalar(Int.self) == 1)
        }
    }

    @Test("connecting to a dead port names host, port and database, never the password")
    func deadPort() throws {
        let secret = "s3cr3t-Pa55"
        let configuration = ConnectionConfiguration("postgres://alice:\(secret)@127.0.0.1:1/ledger")
        let error = #expect(throws: PostgresError.self) { try Connection(configuration) }
        #expect(error?.code == .connectionFailed)
        let text = String(reflecting: error!)
        #expect(text.contains("127.0.0.1"))
        #expect(text.contains("port 1"))
        #expect(text.contains("ledger"))
        #expect(!text.contains(secret))
        #expect(!"\(error!)".contains(secret))
        #expect(!configuration.redacted.contains(secret))
    }

    @Test("description is generic; the server's message is only in the debug description")
    func descriptionDoesNotLeak() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            try connection.execute("CREATE TABLE t (v text PRIMARY KEY)")
            try connection.execute("INSERT INTO t VALUES (\("private-value"))")
            let error = failure(connection, "INSERT INTO t VALUES (\("private-value"))")
            #expect(error.map { "\($0)" }?.contains("private-value") == false)
            #expect(error.map { String(reflecting: $0) }?.contains("private-value") == true)
        }
    }
}
