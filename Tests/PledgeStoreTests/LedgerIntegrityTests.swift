import Foundation
import PledgeCore
import PledgeStore
import Postgres
import Testing
import TestSupport

/// The ledger's integrity rules as the store enforces them.
@Suite("the delivery ledger")
struct LedgerIntegrityTests {
    static let today = CalendarDate(iso: "2026-11-25")!

    func seeded(_ connection: Connection) throws {
        let pledge = try NewPledge(
            publicID: "eu-1m-rounds", donor: "European Union", recipient: "Ukraine", title: "1M rounds", category: "military",
            unit: "rounds", target: "1000000", announced: "2023-03-20", countsFrom: nil, deadline: "2024-03-31",
            status: "committed", source: "", notes: "")
        try PledgeRepository(connection).add(pledge, by: "test")
        let euro = try NewPledge(
            publicID: "de-8bn-2024", donor: "Germany", recipient: "Ukraine", title: "€8 bn", category: "military",
            unit: "EUR", target: "8000000000", announced: "2023-11-14", countsFrom: "2024-01-01", deadline: "2024-12-31",
            status: "committed", source: "", notes: "")
        try PledgeRepository(connection).add(euro, by: "test")
    }

    @Test("UPDATE, DELETE and TRUNCATE on the ledger are refused by the database itself")
    func appendOnly() throws {
        try ScratchDatabase.with { database in
            let connection = try database.connect()
            try seeded(connection)
            _ = try DeliveryLedger(connection).reportTotal(
                pledgeID: "eu-1m-rounds", total: "300000", asOf: CalendarDate(iso: "2023-11-14")!, source: "", idempotencyKey: nil,
                by: "test", today: Self.today)
            for statement: PostgresQuery in ["UPDATE delivery SET quantity = 1", "DELETE FROM delivery", "TRUNCATE delivery"] {
                let error = #expect(throws: PostgresError.self) { try connection.execute(statement) }
                #expect(error?.sqlState == .insufficientPrivilege)
            }
            #expect(try DeliveryLedger(connection).delivered(pledgeID: "eu-1m-rounds") == 300_000)
        }
    }

    @Test("a reported total is stored as its increment; a lower one, or one dated before the latest entry, is refused")
    func reportedTotals() throws {
        try ScratchDatabase.with { database in
            let connection = try database.connect()
            try seeded(connection)
            let ledger = DeliveryLedger(connection)
            func report(_ total: String, _ date: String) throws -> DeliveryLedger.Recorded {
                try ledger.reportTotal(
                    pledgeID: "eu-1m-rounds", total: total, asOf: CalendarDate(iso: date)!, source: "", idempotencyKey: nil, by: "t",
                    today: Self.today)
            }
            #expect(try report("300000", "2023-11-14").quantity == 300_000)
            #expect(try report("300000", "2023-11-14").created == false)
            #expect(try report("480000", "2024-01-31").quantity == 180_000)
            #expect(throws: InputError.self) { try report("470000", "2024-02-15") }
            #expect(throws: InputError.self) { try report("500000", "2023-12-01") }
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds") == 480_000)
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds", asOf: CalendarDate(iso: "2023-12-31")!) == 300_000)
        }
    }

    @Test("voiding or correcting an earlier report keeps the later reported total true")
    func correctionsKeepLaterTotals() throws {
        try ScratchDatabase.with { database in
            let connection = try database.connect()
            try seeded(connection)
            let ledger = DeliveryLedger(connection)
            let first = try ledger.reportTotal(
                pledgeID: "eu-1m-rounds", total: "300000", asOf: CalendarDate(iso: "2023-11-14")!, source: "", idempotencyKey: nil,
                by: "t", today: Self.today)
            _ = try ledger.reportTotal(
                pledgeID: "eu-1m-rounds", total: "480000", asOf: CalendarDate(iso: "2024-01-31")!, source: "", idempotencyKey: nil,
                by: "t", today: Self.today)
            _ = try ledger.correct(entryID: first.entryID, quantity: "250000", reason: "revised down", by: "t")
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds", asOf: CalendarDate(iso: "2023-12-31")!) == 250_000)
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds") == 480_000)
            _ = try ledger.void(entryID: first.entryID, reason: "wrong source", by: "t")
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds", asOf: CalendarDate(iso: "2023-12-31")!) == 0)
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds") == 480_000)
            #expect(throws: InputError.conflict("entry #\(first.entryID) was already voided by entry #5")) {
                try ledger.void(entryID: first.entryID, reason: "again", by: "t")
            }
            let entries = try ledger.entries(pledgeID: "eu-1m-rounds")
            #expect(entries.first { $0.id == first.entryID }?.voidedBy != nil)
            #expect(entries.count == 6)  // two reports, a correction and a void, each with its compensation
        }
    }

    @Test("an amount in another currency converts exactly at that day's rate, stored either way round")
    func fxConversion() throws {
        try ScratchDatabase.with { database in
            let connection = try database.connect()
            try seeded(connection)
            let day = CalendarDate(iso: "2024-03-01")!
            try FXRates(connection).set(base: "EUR", quote: "USD", on: day, rate: Decimal(string: "1.0812")!, source: "ECB")
            let delivery = try NewDelivery(
                pledgeID: "de-8bn-2024", date: "2024-03-01", quantity: "108.12", currency: "USD", contributor: nil, source: "",
                note: "", idempotencyKey: nil)
            #expect(try DeliveryLedger(connection).record(delivery, by: "t", today: Self.today).quantity == 100)
            try FXRates(connection).set(base: "GBP", quote: "EUR", on: day, rate: Decimal(string: "1.17")!, source: "")
            let pounds = try NewDelivery(
                pledgeID: "de-8bn-2024", date: "2024-03-01", quantity: "100", currency: "GBP", contributor: nil, source: "",
                note: "", idempotencyKey: nil)
            #expect(try DeliveryLedger(connection).record(pounds, by: "t", today: Self.today).quantity == 117)
            let otherDay = try NewDelivery(
                pledgeID: "de-8bn-2024", date: "2024-03-02", quantity: "100", currency: "USD", contributor: nil, source: "",
                note: "", idempotencyKey: nil)
            #expect(throws: InputError.self) { try DeliveryLedger(connection).record(otherDay, by: "t", today: Self.today) }
        }
    }

    @Test("amending keeps every revision; the terms in force follow the effective dates")
    func amendments() throws {
        try ScratchDatabase.with { database in
            let connection = try database.connect()
            try seeded(connection)
            let repository = PledgeRepository(connection)
            _ = try repository.amend(
                "eu-1m-rounds", target: nil, deadline: CalendarDate(iso: "2024-12-31")!, effectiveOn: CalendarDate(iso: "2024-01-31")!,
                reason: "deadline missed", by: "t")
            let pledge = try repository.find("eu-1m-rounds")
            #expect(pledge.terms.count == 2)
            #expect(pledge.originalTerms.deadline.description == "2024-03-31")
            #expect(pledge.currentTerms.deadline.description == "2024-12-31")
            #expect(pledge.terms(on: CalendarDate(iso: "2023-12-01")!).deadline.description == "2024-03-31")
            #expect(try repository.find("eu-1m-rounds", asOf: CalendarDate(iso: "2023-12-01")!).terms.count == 1)
            // A revision dated before the terms in force would erase them from history: refused, nothing written.
            let early = #expect(throws: InputError.self) {
                try repository.amend(
                    "eu-1m-rounds", target: 900_000, deadline: nil, effectiveOn: CalendarDate(iso: "1900-01-01")!, reason: "typo", by: "t")
            }
            #expect(early.map { "\($0)" }?.contains("2024-01-31") == true, "\(String(describing: early))")
            #expect(try repository.find("eu-1m-rounds").terms.count == 2)
            _ = try repository.setStatus("eu-1m-rounds", to: .withdrawn, reason: "test", by: "t")
            #expect(throws: InputError.self) {
                try repository.amend("eu-1m-rounds", target: 5, deadline: nil, effectiveOn: CalendarDate(iso: "2024-02-01")!, reason: "x", by: "t")
            }
        }
    }
}

@Suite("corrections and later reports")
struct CorrectionsBeforeReportsTests {
    @Test("voiding a delivery that a later reported total includes keeps that total true")
    func voidDeliveryBeforeReport() throws {
        try withSeededLedger { ledger in
            let today = LedgerIntegrityTests.today
            _ = try ledger.reportTotal(
                pledgeID: "eu-1m-rounds", total: "300000", asOf: CalendarDate(iso: "2023-11-14")!, source: "", idempotencyKey: nil, by: "t", today: today)
            let delivery = try ledger.record(
                try NewDelivery(
                    pledgeID: "eu-1m-rounds", date: "2024-01-05", quantity: "5000", currency: nil, contributor: nil, source: "", note: "",
                    idempotencyKey: nil), by: "t", today: today)
            _ = try ledger.reportTotal(
                pledgeID: "eu-1m-rounds", total: "500000", asOf: CalendarDate(iso: "2024-02-01")!, source: "", idempotencyKey: nil, by: "t", today: today)
            _ = try ledger.void(entryID: delivery.entryID, reason: "duplicate", by: "t")
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds", asOf: CalendarDate(iso: "2024-01-31")!) == 300_000)
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds") == 500_000)
        }
    }

    /// A scratch database with the seed pledges, and its ledger.
    func withSeededLedger(_ body: (DeliveryLedger) throws -> Void) throws {
        try ScratchDatabase.with { database in
            let connection = try database.connect()
            try LedgerIntegrityTests().seeded(connection)
            try body(DeliveryLedger(connection))
        }
    }

    /// The EU's two reported totals: 300,000 on 2023-11-14 and 480,000 on 2024-01-31.
    func twoReports(_ ledger: DeliveryLedger) throws -> (first: Int, second: Int) {
        let today = LedgerIntegrityTests.today
        let first = try ledger.reportTotal(
            pledgeID: "eu-1m-rounds", total: "300000", asOf: CalendarDate(iso: "2023-11-14")!, source: "", idempotencyKey: nil, by: "t", today: today)
        let second = try ledger.reportTotal(
            pledgeID: "eu-1m-rounds", total: "480000", asOf: CalendarDate(iso: "2024-01-31")!, source: "", idempotencyKey: nil, by: "t", today: today)
        return (first.entryID, second.entryID)
    }

    @Test("after a compensation, correcting the earlier report is bounded by the later report's stated total, not more")
    func correctionBoundedByLaterTotal() throws {
        try withSeededLedger { ledger in
            let (first, _) = try twoReports(ledger)
            _ = try ledger.correct(entryID: first, quantity: "250000", reason: "revised down", by: "t")
            let before = try ledger.entries(pledgeID: "eu-1m-rounds").count
            #expect(throws: InputError.self) { try ledger.correct(entryID: first, quantity: "490000", reason: "too high", by: "t") }
            #expect(try ledger.entries(pledgeID: "eu-1m-rounds").count == before)
            _ = try ledger.correct(entryID: first, quantity: "480000", reason: "as high as the next", by: "t")
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds", asOf: CalendarDate(iso: "2023-12-31")!) == 480_000)
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds") == 480_000)
        }
    }

    @Test("a delivery recorded with a date before a later reported total is part of it: the total stays, the history changes")
    func recordBeforeReport() throws {
        try withSeededLedger { ledger in
            let (_, second) = try twoReports(ledger)
            func record(_ quantity: String, on date: String) throws -> DeliveryLedger.Recorded {
                try ledger.record(
                    try NewDelivery(
                        pledgeID: "eu-1m-rounds", date: date, quantity: quantity, currency: nil, contributor: nil, source: "",
                        note: "", idempotencyKey: nil), by: "t", today: LedgerIntegrityTests.today)
            }
            _ = try record("20000", on: "2023-12-01")
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds", asOf: CalendarDate(iso: "2023-12-31")!) == 320_000)
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds", asOf: CalendarDate(iso: "2024-01-31")!) == 480_000)
            let compensation = try #require(try ledger.entries(pledgeID: "eu-1m-rounds").last)
            #expect(compensation.kind == .correction)
            #expect(compensation.correctsID == second)
            #expect(compensation.quantity == -20_000)

            // 160,000 is all the second report adds after the first report and that delivery: 160,001 contradicts it.
            let before = try ledger.entries(pledgeID: "eu-1m-rounds")
            #expect(throws: InputError.self) { try record("160001", on: "2023-12-05") }
            #expect(try ledger.entries(pledgeID: "eu-1m-rounds") == before)
            _ = try record("160000", on: "2023-12-05")
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds") == 480_000)
            // A delivery after the last report just adds.
            _ = try record("5000", on: "2024-02-05")
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds") == 485_000)
        }
    }

    /// A delivery of `quantity` to the EU's pledge on `date`.
    func record(_ ledger: DeliveryLedger, _ quantity: String, on date: String) throws -> DeliveryLedger.Recorded {
        try ledger.record(
            try NewDelivery(
                pledgeID: "eu-1m-rounds", date: date, quantity: quantity, currency: nil, contributor: nil, source: "", note: "",
                idempotencyKey: nil), by: "t", today: LedgerIntegrityTests.today)
    }

    @Test("correcting a delivery upwards is bounded by what the later report adds, as recording it is; nothing written when refused")
    func correctionBoundedLikeRecord() throws {
        try withSeededLedger { ledger in
            _ = try twoReports(ledger)
            // The second report (480,000) now adds 179,500 after the first report and this delivery.
            let delivery = try record(ledger, "500", on: "2023-12-01")
            let before = try ledger.entries(pledgeID: "eu-1m-rounds")
            let error = #expect(throws: InputError.self) {
                try ledger.correct(entryID: delivery.entryID, quantity: "180001", reason: "typo", by: "t")
            }
            #expect("\(error.map { String(describing: $0) } ?? "")".contains("180000"), "names the most it may be: \(String(describing: error))")
            #expect(try ledger.entries(pledgeID: "eu-1m-rounds") == before)
            _ = try ledger.correct(entryID: delivery.entryID, quantity: "180000", reason: "typo", by: "t")
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds", asOf: CalendarDate(iso: "2023-12-31")!) == 480_000)
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds") == 480_000)
        }
    }

    @Test("a delivery refused for contradicting a later report quotes that report's total as it stands, not with the refused delivery in it")
    func refusalQuotesTheReport() throws {
        try withSeededLedger { ledger in
            _ = try twoReports(ledger)
            let error = #expect(throws: InputError.self) { try record(ledger, "200000", on: "2023-12-01") }
            let text = error.map { String(describing: $0) } ?? ""
            #expect(text.contains("states a total of 480000"), "\(text)")
            #expect(text.contains("only 180000 more"), "\(text)")
        }
    }

    @Test("a voided entry no longer holds back a reported total dated before it")
    func voidedEntryLiftsTheDateRule() throws {
        try withSeededLedger { ledger in
            // A typo: 2026 for 2024.
            let typo = try record(ledger, "100", on: "2026-11-20")
            _ = try ledger.void(entryID: typo.entryID, reason: "wrong date", by: "t")
            let report = try ledger.reportTotal(
                pledgeID: "eu-1m-rounds", total: "300000", asOf: CalendarDate(iso: "2023-11-14")!, source: "", idempotencyKey: nil,
                by: "t", today: LedgerIntegrityTests.today)
            #expect(report.created)
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds") == 300_000)
            // An entry that stands still does.
            _ = try record(ledger, "100", on: "2024-02-01")
            #expect(throws: InputError.self) {
                try ledger.reportTotal(
                    pledgeID: "eu-1m-rounds", total: "400000", asOf: CalendarDate(iso: "2024-01-15")!, source: "", idempotencyKey: nil,
                    by: "t", today: LedgerIntegrityTests.today)
            }
        }
    }

    @Test("reporting the same total for the same day again adds nothing, also after a delivery before it was compensated there")
    func sameReportAfterCompensation() throws {
        try withSeededLedger { ledger in
            func report() throws -> DeliveryLedger.Recorded {
                try ledger.reportTotal(
                    pledgeID: "eu-1m-rounds", total: "300000", asOf: CalendarDate(iso: "2023-11-14")!, source: "", idempotencyKey: nil,
                    by: "t", today: LedgerIntegrityTests.today)
            }
            let first = try report()
            _ = try record(ledger, "500", on: "2023-11-01")
            let before = try ledger.entries(pledgeID: "eu-1m-rounds")
            let again = try report()
            #expect(!again.created)
            #expect(again.entryID == first.entryID)
            #expect(try ledger.entries(pledgeID: "eu-1m-rounds") == before)
            // A report whose total was corrected is another statement: the old total is new again.
            _ = try ledger.correct(entryID: first.entryID, quantity: "250000", reason: "revised", by: "t")
            #expect(try report().created)
            #expect(try ledger.delivered(pledgeID: "eu-1m-rounds") == 300_000)
        }
    }
}
