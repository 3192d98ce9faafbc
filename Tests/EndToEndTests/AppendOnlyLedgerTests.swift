import Postgres
import Testing
import TestSupport

@Suite("the delivery ledger is append-only in the database itself, not only in the binary")
struct AppendOnlyLedgerTests {
    @Test(
        "UPDATE, DELETE and TRUNCATE on delivery are refused with insufficient_privilege, and the rows stay",
        arguments: [
            "UPDATE delivery SET quantity = 0",
            "UPDATE delivery SET note = 'edited' WHERE kind = 'report'",
            "DELETE FROM delivery",
            "DELETE FROM delivery WHERE kind = 'delivery'",
            "TRUNCATE delivery",
            "TRUNCATE delivery CASCADE",
        ])
    func refused(statement: String) throws {
        try ScratchDatabase.with { db in
            try db.succeed(["seed"])
            try db.succeed(["delivery", "record", "eu-1m-rounds", "--quantity", "5000", "--on", "2024-01-05"])
            let before = try DatabaseSnapshot.take(db)
            let connection = try db.connect()
            defer { connection.close() }
            let error = #expect(throws: PostgresError.self) {
                try connection.execute(PostgresQuery(unsafeSQL: statement))
            }
            #expect(error?.sqlState == .insufficientPrivilege, "\(String(reflecting: error))")
            #expect(error?.message.contains("append-only") == true)
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test("inside a transaction the refusal aborts it: nothing of the transaction survives")
    func refusedInTransaction() throws {
        try ScratchDatabase.with { db in
            try db.succeed(["seed"])
            let before = try DatabaseSnapshot.take(db)
            let connection = try db.connect()
            defer { connection.close() }
            let error = #expect(throws: PostgresError.self) {
                try connection.withTransaction { tx in
                    try tx.execute(
                        """
                        INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, recorded_by)
                        SELECT id, 'delivery', '2024-01-05', 1, 'sneaky' FROM pledge WHERE public_id = 'eu-1m-rounds'
                        """)
                    try tx.execute("DELETE FROM delivery WHERE recorded_by <> 'sneaky'")
                }
            }
            #expect(error?.sqlState == .insufficientPrivilege)
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }
}
