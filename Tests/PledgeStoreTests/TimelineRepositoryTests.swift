import Foundation
import PledgeCore
import Postgres
import Testing
import TestSupport

@testable import PledgeStore

/// Timelines come from the server as two arrays per pledge (the entries' days and quantities) and are
/// summed per day as they are parsed, off the connection's thread: they must be the ledger's entries
/// summed per day, corrections and voids included.
@Suite("timelines read from the ledger")
struct TimelineRepositoryTests {
    static let today = CalendarDate(iso: "2026-11-25")!

    @Test("a timeline is the ledger's net change per day: same-day entries summed, corrections, voids and cents kept, later days left out")
    func perDayNetChanges() throws {
        try ScratchDatabase.with { database in
            let connection = try database.connect()
            let pledges = PledgeRepository(connection)
            for (id, unit, counts) in [("eu-1m-rounds", "rounds", "2023-03-20"), ("de-8bn-2024", "EUR", "2024-01-01"), ("nl-empty", "rounds", "2024-01-01")] {
                try pledges.add(
                    try NewPledge(
                        publicID: id, donor: "Donor", recipient: "Ukraine", title: id, category: "military", unit: unit,
                        target: "1000000", announced: counts, countsFrom: nil, deadline: "2025-12-31", status: "committed",
                        source: "", notes: ""),
                    by: "test")
            }
            let ledger = DeliveryLedger(connection)
            func record(_ pledge: String, _ date: String, _ quantity: String) throws -> Int {
                try ledger.record(
                    try NewDelivery(
                        pledgeID: pledge, date: date, quantity: quantity, currency: nil, contributor: nil, source: "", note: "",
                        idempotencyKey: nil),
                    by: "test", today: Self.today
                ).entryID
            }
            _ = try record("eu-1m-rounds", "2023-03-20", "1000")
            let wrong = try record("eu-1m-rounds", "2023-05-02", "5000")
            _ = try record("eu-1m-rounds", "2023-05-02", "2500")
            _ = try ledger.correct(entryID: wrong, quantity: "500", reason: "typo", by: "test")
            _ = try record("eu-1m-rounds", "2023-11-14", "300000")
            let doubled = try record("eu-1m-rounds", "2023-11-14", "300000")
            _ = try ledger.void(entryID: doubled, reason: "entered twice", by: "test")
            _ = try record("de-8bn-2024", "2024-02-01", "1250000.55")
            _ = try record("de-8bn-2024", "2024-02-01", "0.45")
            _ = try record("de-8bn-2024", "2024-03-15", "99.99")

            let asOf = CalendarDate(iso: "2023-12-31")!
            let all = try pledges.list()
            let read = try TimelineRepository(connection).timelines(for: all, asOf: asOf)
            #expect(Set(read.keys) == ["eu-1m-rounds", "de-8bn-2024", "nl-empty"])
            for pledge in all {
                // The reference: the ledger's own entries, summed per day in Swift.
                var perDay: [CalendarDate: Decimal] = [:]
                for entry in try ledger.entries(pledgeID: pledge.publicID, asOf: asOf) { perDay[entry.date, default: 0] += entry.quantity }
                let expected = Timeline(countsFrom: pledge.countsFrom, asOf: asOf, changes: perDay.map { ($0.key, $0.value) })
                #expect(read[pledge.publicID] == expected, "\(pledge.publicID)")
            }
            #expect(read["eu-1m-rounds"]?.delivered == Decimal(304_000), "1,000 + (5,000 + 2,500, the 5,000 corrected to 500) + 300,000")
            #expect(read["eu-1m-rounds"]?.points.map(\.date.description) == ["2023-03-19", "2023-03-20", "2023-05-02", "2023-11-14"])
            #expect(read["nl-empty"]?.points.count == 1, "an anchor and nothing else")
            let later = try TimelineRepository(connection).timelines(for: all, asOf: CalendarDate(iso: "2024-12-31")!)
            #expect(later["de-8bn-2024"]?.delivered == Decimal(string: "1250100.99"))
            #expect(later["de-8bn-2024"]?.points.count == 3)
        }
    }
}

/// The arrays' text, element by element.
@Suite("timeline arrays")
struct TimelineArrayTests {
    static func elements(_ text: String) throws -> [String] {
        var found: [String] = []
        try TimelineBatch.forEachElement(of: text) { found.append(String(decoding: $0, as: UTF8.self)) }
        return found
    }

    @Test("elements are what lies between the braces and commas; an empty one is handed over, to be refused")
    func elements() throws {
        #expect(try Self.elements("{}") == [])
        #expect(try Self.elements("{2024-01-05}") == ["2024-01-05"])
        #expect(try Self.elements("{12,-4.5,0.01}") == ["12", "-4.5", "0.01"])
        #expect(try Self.elements("{1,,2}") == ["1", "", "2"])
        #expect(throws: PostgresError.self) { try Self.elements("12,4") }
        #expect(throws: PostgresError.self) { try Self.elements("") }
    }
}

/// A batch's arrays turned into a timeline: plain numeric text the fixed-point way, anything else (19 or
/// more digits, an exponent) the `Decimal` way — the same timeline — and what neither reads is refused.
@Suite("timelines parsed from a batch")
struct TimelineBatchTests {
    static let start = CalendarDate(iso: "2023-03-20")!
    static let pledge = Pledge(
        publicID: "eu-1m-rounds", donor: "European Union", recipient: "Ukraine", title: "1M rounds", category: .military,
        unit: .count("rounds"), announcedOn: start, countsFrom: start, status: .committed, source: "", notes: "",
        terms: [PledgeTerms(revision: 1, target: 1_000_000, deadline: start.adding(days: 365), effectiveOn: start, reason: "", recordedBy: "t")])

    /// `days` as the tests write them (ISO dates) and as the server sends them (day numbers).
    static func timeline(days: String, changes: String) throws -> Timeline {
        try timeline(dayNumbers: dayNumbers(days), changes: changes)
    }

    static func timeline(dayNumbers: String, changes: String) throws -> Timeline {
        let batch = TimelineBatch(arrays: [pledge.publicID: .init(days: dayNumbers, changes: changes)], asOf: start.adding(days: 300))
        return try batch.timeline(for: pledge)
    }

    /// `{2023-03-20,…}` → `{19436,…}`; an element that is not a date is kept as it is.
    static func dayNumbers(_ isoDays: String) -> String {
        let elements = isoDays.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map { element in
            CalendarDate(iso: String(element)).map { String($0.daysSinceEpoch) } ?? String(element)
        }
        return "{" + elements.joined(separator: ",") + "}"
    }

    static func expected(_ changes: [(String, String)]) -> Timeline {
        Timeline(
            countsFrom: start, asOf: start.adding(days: 300),
            changes: changes.map { (CalendarDate(iso: $0.0)!, Decimal(string: $0.1, locale: Locale(identifier: "en_US_POSIX"))!) })
    }

    @Test("plain text and text only Decimal reads give the timeline of the same changes")
    func bothPaths() throws {
        let plain = try Self.timeline(days: "{2023-03-20,2023-05-02,2023-11-14}", changes: "{1000,-12.5,300000.25}")
        #expect(plain == Self.expected([("2023-03-20", "1000"), ("2023-05-02", "-12.5"), ("2023-11-14", "300000.25")]))
        // 19 digits and an exponent are not plain: the whole timeline goes the Decimal way.
        let general = try Self.timeline(days: "{2023-03-20,2023-05-02}", changes: "{1000,1234567890123456789}")
        #expect(general == Self.expected([("2023-03-20", "1000"), ("2023-05-02", "1234567890123456789")]))
        #expect(general.delivered.description == "1234567890123457789")
    }

    @Test("several entries on one day, in any order, are that day's sum, on both paths; entries before the start fold into it")
    func repeatedDays() throws {
        // The counting start is 2023-03-20: an entry dated before it belongs to the anchor's day.
        let plain = try Self.timeline(
            days: "{2023-05-02,2023-03-18,2023-03-20,2023-05-02,2023-03-20}", changes: "{2500,7,1000,-12.5,0.5}")
        #expect(plain == Self.expected([("2023-03-18", "7"), ("2023-03-20", "1000.5"), ("2023-05-02", "2487.5")]))
        #expect(plain.points.map(\.cumulative) == [0, Decimal(string: "1007.5")!, Decimal(string: "3495")!])
        let general = try Self.timeline(days: "{2023-05-02,2023-05-02,2023-03-20}", changes: "{1234567890123456789,-9,1000}")
        #expect(general == Self.expected([("2023-03-20", "1000"), ("2023-05-02", "1234567890123456780")]))
    }

    @Test("days are whole day numbers since 1970-01-01, before it too; anything else is refused")
    func dayNumbers() throws {
        #expect(Self.dayNumbers("{2023-03-20,1969-12-31}") == "{19436,-1}")
        let read = try Self.timeline(dayNumbers: "{19436,-1,0}", changes: "{1,2,3}")
        #expect(read == Self.expected([("2023-03-20", "1"), ("1969-12-31", "2"), ("1970-01-01", "3")]))
        for days in ["{2023-03-20}", "{x}", "{}", "{1.5}", "{--1}", "{-}", "{1234567890123456789}", "{12345678901}", "{ 1}"] {
            #expect(throws: PostgresError.self, "\(days)") { try Self.timeline(dayNumbers: days, changes: "{1}") }
        }
    }

    @Test("a change neither way reads, or arrays of different lengths, are refused with the pledge named")
    func refusals() {
        for (days, changes) in [("{2023-03-20}", "{abc}"), ("{2023-03-20,2023-05-02}", "{1}"), ("{2023-03-20}", "{1,2}"),
                                ("{2023-03-20}", "{1e400000}"), ("{2023-03-20,2023-05-02}", "{1234567890123456789}")] {
            #expect(throws: PostgresError.self, "\(days) \(changes)") { try Self.timeline(days: days, changes: changes) }
        }
    }
}
