import Foundation
import PledgeCore
import Testing

@Suite("SeedData")
struct SeedDataTests {
    @Test("the seed builds without error and holds the article's four pledges")
    func fourPledges() throws {
        let entries = try SeedData.entries()
        #expect(entries.map(\.pledge.publicID) == ["eu-1m-rounds", "eu-20bn-military-aid", "de-8bn-2024", "eu-rdc-5000-troops"])
    }

    @Test("the million rounds are counted in rounds, with the 300,000 reported by the article")
    func millionRounds() throws {
        let rounds = try #require(try SeedData.entries().first { $0.pledge.publicID == "eu-1m-rounds" })
        #expect(rounds.pledge.unit == .count("rounds"))
        #expect(rounds.pledge.target == 1_000_000)
        #expect(rounds.pledge.announcedOn.days(until: rounds.pledge.deadline) == 377)
        let reported = try #require(rounds.reportedTotal)
        #expect(try Quantity.parsePositive(reported.total, field: "total", scale: rounds.pledge.unit.scale) == 300_000)
        #expect(try CalendarDate.parse(reported.asOf, field: "as of") == CalendarDate(iso: "2023-11-14"))
    }

    @Test("Germany's €8 bn for 2024 counts from 2024-01-01, not from its announcement")
    func germanyCountsFrom2024() throws {
        let germany = try #require(try SeedData.entries().first { $0.pledge.publicID == "de-8bn-2024" })
        #expect(germany.pledge.unit == .currency("EUR"))
        #expect(germany.pledge.target == 8_000_000_000)
        #expect(germany.pledge.announcedOn == CalendarDate(iso: "2023-11-14"))
        #expect(germany.pledge.countsFrom == CalendarDate(iso: "2024-01-01"))
        #expect(germany.pledge.deadline == CalendarDate(iso: "2024-12-31"))
    }

    @Test("the €20 bn is only proposed; the others are committed")
    func statuses() throws {
        let statuses = Dictionary(uniqueKeysWithValues: try SeedData.entries().map { ($0.pledge.publicID, $0.pledge.status) })
        #expect(statuses == [
            "eu-1m-rounds": .committed, "eu-20bn-military-aid": .proposed, "de-8bn-2024": .committed,
            "eu-rdc-5000-troops": .committed,
        ])
    }

    @Test("every seeded pledge cites a source and has a deadline after counting starts")
    func wellFormed() throws {
        for entry in try SeedData.entries() {
            #expect(!entry.pledge.source.isEmpty, "\(entry.pledge.publicID)")
            #expect(entry.pledge.deadline > entry.pledge.countsFrom, "\(entry.pledge.publicID)")
            #expect(entry.pledge.countsFrom >= entry.pledge.announcedOn, "\(entry.pledge.publicID)")
        }
    }
}
