import Postgres
import Testing
import TestSupport

@Suite("pledgewatch migrate")
struct MigrateTests {
    struct FileStatus: Decodable, Equatable {
        let name: String
        let state: String
    }

    @Test("on an empty database, migrate --status lists every file as pending and other commands ask for migrate (78)")
    func pendingBeforeMigrate() throws {
        try ScratchDatabase.with(migrated: false) { db in
            let status = try decode([FileStatus].self, try db.succeed(["migrate", "--status", "--json"]))
            #expect(status.first == FileStatus(name: "0001_ledger.sql", state: "pending"))
            #expect(status.allSatisfy { $0.state == "pending" })
            #expect(status.map(\.name) == status.map(\.name).sorted())
            let list = try db.run(["pledge", "list"])
            #expect(list.status == 78, "\(list)")
            #expect(list.stderr.contains("pledgewatch migrate"))
        }
    }

    @Test(
        "two migrate processes started at once: both exit 0, exactly one applies 0001_ledger.sql, and everything is applied",
        arguments: 1...4)
    func twoAtOnce(round: Int) throws {
        try ScratchDatabase.with(migrated: false) { db in
            let files = try decode([FileStatus].self, try db.succeed(["migrate", "--status", "--json"])).map(\.name)
            #expect(files.first == "0001_ledger.sql")

            let results = try simultaneously(2) { _ in Result { try db.run(["migrate"]) } }.map { try $0.get() }
            #expect(results.count == 2)
            #expect(results.map(\.status) == [0, 0], "\(results)")
            #expect(results.filter { $0.stdout.contains("applied 0001_ledger.sql\n") }.count == 1, "\(results)")
            // The lock is held for the whole run: one process applies every file, the other finds none left.
            let everyFile = files.map { "applied \($0)\n" }.joined()
            #expect(results.map(\.stdout).sorted() == ["", everyFile], "\(results)")
            #expect(results.allSatisfy { $0.stderr.isEmpty }, "cron mails stderr: \(results.map(\.stderr))")

            let status = try decode([FileStatus].self, try db.succeed(["migrate", "--status", "--json"]))
            #expect(status == files.map { FileStatus(name: $0, state: "applied") })
            #expect(try db.connect().query("SELECT count(*) FROM schema_migrations").scalar(Int.self) == files.count)
            // The schema is whole: the ledger works.
            try db.succeed(["seed"])
            #expect(try db.show("eu-1m-rounds").delivered == "300000")
        }
    }

    @Test("migrating a current database again applies nothing and changes nothing")
    func again() throws {
        try ScratchDatabase.with { db in
            try db.succeed(["seed"])
            let before = try DatabaseSnapshot.take(db)
            let result = try db.succeed(["migrate", "--json"])
            struct Applied: Decodable { let applied: [String] }
            #expect(try decode(Applied.self, result).applied.isEmpty)
            #expect(result.stderr.isEmpty, "cron mails stderr: \(result.stderr)")
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }
}
