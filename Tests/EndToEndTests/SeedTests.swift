import Postgres
import Testing
import TestSupport

@Suite("pledgewatch seed")
struct SeedTests {
    @Test("seeding twice changes nothing: the second run adds no pledge, term or ledger entry and says nothing")
    func seedTwice() throws {
        try ScratchDatabase.with { db in
            let empty = try DatabaseSnapshot.take(db)
            let first = try db.succeed(["seed", "--by", "demo"])
            #expect(first.stdout == "seeded 4 pledges and 1 reported totals\n")
            let pledges = try db.count(PostgresIdentifier("pledge"))
            let terms = try db.count(PostgresIdentifier("pledge_terms"))
            let deliveries = try db.count(PostgresIdentifier("delivery"))
            #expect((pledges, terms, deliveries) == (4, 4, 1))
            let before = try DatabaseSnapshot.take(db)
            #expect(before != empty, "a snapshot must see what seed wrote")

            let second = try db.succeed(["seed", "--by", "someone-else"])
            #expect(second.stdout == "")
            #expect(try db.connect().query("SELECT count(*) FROM pledge").scalar(Int.self) == pledges)
            #expect(try db.connect().query("SELECT count(*) FROM pledge_terms").scalar(Int.self) == terms)
            #expect(try db.connect().query("SELECT count(*) FROM delivery").scalar(Int.self) == deliveries)
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test("the seeded 1,000,000-round pledge shows the 300,000 reported on 2023-11-14")
    func seededFigures() throws {
        try ScratchDatabase.with { db in
            try db.succeed(["seed"])
            let rounds = try db.show("eu-1m-rounds")
            #expect(rounds.original.target == "1000000")
            #expect(rounds.delivered == "300000")
            #expect(rounds.percent == "30")
            #expect(try db.list().map(\.id) == ["de-8bn-2024", "eu-1m-rounds", "eu-20bn-military-aid", "eu-rdc-5000-troops"])
        }
    }
}
