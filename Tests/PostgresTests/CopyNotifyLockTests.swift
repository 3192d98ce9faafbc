import Foundation
import Postgres
import Testing
import TestSupport

@Suite("COPY, LISTEN/NOTIFY and advisory locks")
struct CopyNotifyLockTests {
    @Test("COPY streams 200,000 rows; the count and the sum are exact")
    func copyManyRows() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            try connection.execute("CREATE TABLE t (id int NOT NULL, label text, amount numeric NOT NULL)")
            let rows = (1...200_000).lazy.map { i -> [String?] in
                [String(i), i % 7 == 0 ? nil : "row\t\(i)\\ \n'x'", "\(i).25"]
            }
            let stored = try connection.copyIn("COPY t (id, label, amount) FROM STDIN", rows: rows)
            #expect(stored == 200_000)
            let row = try connection.query("SELECT count(*), sum(amount), count(label) FROM t").first!
            let (count, sum, labelled) = try row.decode((Int, Decimal, Int).self)
            #expect(count == 200_000)
            // Σ i for 1…200000 plus 0.25 each
            #expect(sum == Decimal(string: "20000150000")!)
            #expect(labelled == 200_000 - 200_000 / 7)
            #expect(try connection.query("SELECT label FROM t WHERE id = 1").scalar(String.self) == "row\t1\\ \n'x'")
        }
    }

    @Test("a bad COPY row gives an error and the connection still answers")
    func badCopyRow() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            try connection.execute("CREATE TABLE t (id int NOT NULL)")
            let error = #expect(throws: PostgresError.self) {
                try connection.copyIn("COPY t (id) FROM STDIN", rows: [["1"], ["two"], ["3"]])
            }
            #expect(error?.sqlState == .invalidTextRepresentation)
            #expect(try connection.query("SELECT count(*) FROM t").scalar(Int.self) == 0)
            #expect(try connection.query("SELECT \(41) + 1").scalar(Int.self) == 42)
        }
    }

    @Test("a producer that throws aborts the COPY and nothing is stored")
    func producerThrows() throws {
        struct Stop: Error {}
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            try connection.execute("CREATE TABLE t (id int NOT NULL)")
            #expect(throws: Stop.self) {
                try connection.copyIn("COPY t (id) FROM STDIN") { writer in
                    try writer.write(["1"])
                    throw Stop()
                }
            }
            #expect(try connection.query("SELECT count(*) FROM t").scalar(Int.self) == 0)
        }
    }

    @Test("a NOTIFY arrives; a wait with nothing to receive returns at its timeout")
    func notifications() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let listener = try database.connect()
            let sender = try database.connect()
            try listener.listen("ledger changed")
            #expect(try listener.waitForNotification(timeout: .milliseconds(50)) == nil)
            try sender.notify("ledger changed", payload: "eu-1m-rounds")
            let received = try listener.waitForNotification(timeout: .seconds(10))
            #expect(received?.channel == "ledger changed")
            #expect(received?.payload == "eu-1m-rounds")
            #expect(received?.senderPID == sender.backendPID)
            #expect(try listener.waitForNotification(timeout: .milliseconds(20)) == nil)
        }
    }

    @Test("an advisory lock is exclusive between sessions and released by unlock or by disconnecting")
    func advisoryLocks() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let first = try database.connect()
            var second: Connection? = try database.connect()
            #expect(try second!.tryAdvisoryLock(42))
            #expect(try first.tryAdvisoryLock(42) == false)
            #expect(try second!.advisoryUnlock(42))
            #expect(try first.tryAdvisoryLock(42))
            #expect(try first.advisoryUnlock(42))
            #expect(try second!.tryAdvisoryLock(43))
            second = nil  // deinit closes the session, which releases its locks as the backend exits
            // The backend exits asynchronously: wait for the lock (bounded by lock_timeout), never sleep.
            try first.execute("SET lock_timeout = '10s'")
            try first.advisoryLock(43)
            #expect(try first.advisoryUnlock(43))
        }
    }

    @Test("whether this session holds an advisory lock is read from the server, for keys of every sign and size")
    func holdsAdvisoryLock() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let first = try database.connect()
            let second = try database.connect()
            for key: Int64 in [0x7077_2D6C_6561_64, 42, -1, .min, .max, 1 << 32, (1 << 32) - 1] {
                #expect(try !first.holdsAdvisoryLock(key), "\(key)")
                #expect(try first.tryAdvisoryLock(key))
                #expect(try first.holdsAdvisoryLock(key), "\(key)")
                #expect(try !second.holdsAdvisoryLock(key), "another session's lock is not this one's: \(key)")
                #expect(try !first.holdsAdvisoryLock(key &+ 1), "a neighbouring key: \(key)")
                #expect(try first.advisoryUnlock(key))
                #expect(try !first.holdsAdvisoryLock(key), "\(key)")
            }
        }
    }
}
