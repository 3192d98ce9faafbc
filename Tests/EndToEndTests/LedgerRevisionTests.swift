import Foundation
import Testing
import TestSupport

@testable import PledgeCore
@testable import PledgeService
@testable import PledgeStore
@testable import Postgres

/// Migration 0010's ledger revisions, which let an export show stored assessments without reading the
/// ledger, and the export that does so.
@Suite("ledger revisions")
struct LedgerRevisionTests {
    /// Every pledge's ledger revision, by public id (0: none).
    static func revisions(_ db: ScratchDatabase) throws -> [String: Int] {
        let connection = try db.connect()
        defer { connection.close() }
        return Dictionary(
            uniqueKeysWithValues: try connection.query(
                "SELECT p.public_id, coalesce(r.revision, 0)::int FROM pledge p LEFT JOIN ledger_revision r ON r.pledge_id = p.id"
            ).decode((String, Int).self))
    }

    @Test("every command that appends entries raises the revision of exactly the pledges it wrote for, once; a retry or a refused command raises nothing")
    func raisedPerStatement() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            var expected = try Self.revisions(db)
            #expect(expected.count == 4 && expected.values.contains { $0 > 0 }, "the seed's entries: \(expected)")
            func check(_ what: String) throws { #expect(try Self.revisions(db) == expected, "\(what)") }

            try db.succeed(["delivery", "record", "eu-1m-rounds", "--quantity", "5", "--on", "2024-01-02", "--idempotency-key", "k1"])
            expected["eu-1m-rounds"]! += 1
            try check("a delivery")
            try db.succeed(["delivery", "record", "eu-1m-rounds", "--quantity", "5", "--on", "2024-01-02", "--idempotency-key", "k1"])
            try check("the same delivery again: nothing appended")
            #expect(try db.run(["delivery", "record", "eu-1m-rounds", "--quantity", "x", "--on", "2024-01-02"]).status == 65)
            try check("a refused delivery")

            let csv = """
                pledge,date,quantity
                eu-1m-rounds,2024-01-03,10
                de-8bn-2024,2024-01-03,10
                eu-1m-rounds,2024-01-04,10
                eu-1m-rounds,2024-01-05,10

                """
            try withFile(csv) { path in
                try db.succeed(["import", "deliveries", path])
                expected["eu-1m-rounds"]! += 1
                expected["de-8bn-2024"]! += 1
                try check("an import: once per pledge, whatever its rows")
                try db.succeed(["import", "deliveries", path])
                try check("the same import again: nothing appended")
            }
            let badImport = try withFile("pledge,date,quantity\neu-1m-rounds,2024-01-06,10\nde-8bn-2024,2024-01-06,ten\n") { path in
                try db.run(["import", "deliveries", path])
            }
            #expect(badImport.status == 65)
            try check("an import with a bad row")

            let entry = try #require(try db.entries("eu-1m-rounds").last)
            try db.succeed(["delivery", "void", String(entry.id), "--reason", "typo"])
            expected["eu-1m-rounds"]! += 1
            try check("a void")
            let other = try #require(try db.entries("eu-1m-rounds").first { $0.kind == "delivery" })
            try db.succeed(["delivery", "correct", String(other.id), "--quantity", "7", "--reason", "recount"])
            expected["eu-1m-rounds"]! += 1
            try check("a correction")
            try db.succeed(["delivery", "report-total", "eu-20bn-military-aid", "--total", "9000000000", "--as-of", "2024-01-10"])
            expected["eu-20bn-military-aid"]! += 1
            try check("a reported total")
            try db.succeed(["pledge", "amend", "eu-1m-rounds", "--deadline", "2024-12-31", "--effective", "2024-01-01", "--reason", "later"])
            try check("an amendment: terms are not the ledger (the fingerprint covers them)")
        }
    }

    @Test("right after an evaluation, an export reads no ledger entry: a role that may not read the ledger exports the same bytes; after a new entry it needs the ledger")
    func exportWithoutLedger() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            try db.succeed(["evaluate", "--as-of", "2024-01-15"])
            let owner = try db.succeed(["export"]).stdout
            // A role of the cluster's, named once (an identifier is never made from a string at run time).
            let role = PostgresIdentifier("pw_test_no_ledger")
            let connection = try db.connect()
            defer { connection.close() }
            try connection.execute(
                "DO $$ BEGIN CREATE ROLE pw_test_no_ledger LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
            try connection.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role)")
            try connection.execute("REVOKE SELECT ON delivery FROM \(role)")
            defer {
                _ = try? connection.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM \(role)")
                // The role belongs to the cluster: dropped once nothing of this database refers to it (another
                // scratch database of a concurrent run may still: then it stays, and is reused).
                _ = try? connection.execute("DROP ROLE IF EXISTS \(role)")
            }
            let restricted = db.conninfo + " user=pw_test_no_ledger"
            let export = try Pledgewatch.run(["export"], database: restricted)
            #expect(export.status == 0, "\(export)")
            #expect(export.stdout == owner)
            let entries = try ExportTests.entries(export)
            #expect(entries.count == 4 && entries.values.allSatisfy { $0["assessmentSource"] as? String == "evaluation" })

            // An entry dated after the run's as-of day: the timeline is read (and refused to this role)…
            try db.succeed(["delivery", "record", "eu-1m-rounds", "--quantity", "5", "--on", "2024-01-20"])
            let refused = try Pledgewatch.run(["export"], database: restricted)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("permission denied"), "\(refused.stderr)")
            // …and, the run's as-of day seeing the same timeline, the stored assessment still shows.
            let after = try ExportTests.entries(try db.succeed(["export"]))
            #expect(after.values.allSatisfy { $0["assessmentSource"] as? String == "evaluation" })
            let again = try db.succeed(["export"]).stdout
            #expect(again == owner)
        }
    }

    @Test("a long timeline: the entry draws its burn-up, the same whether copied from the evaluation or read now, and the daemon's document agrees")
    func longTimeline() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            // Forty busy days for the EU's rounds.
            let rows = (1...40).map { "eu-1m-rounds,\(CalendarDate(iso: "2023-11-20")!.adding(days: $0 * 2)),1000" }
            _ = try withFile("pledge,date,quantity\n" + rows.joined(separator: "\n") + "\n") { path in try db.succeed(["import", "deliveries", path]) }
            try db.succeed(["evaluate", "--as-of", "2024-03-01"])
            let copied = try ExportTests.entries(try db.succeed(["export"]))
            let connection = try db.connect()
            defer { connection.close() }
            let pledge = try PledgeRepository(connection).find("eu-1m-rounds", asOf: CalendarDate(iso: "2024-03-01")!)
            let whole = try #require(try TimelineRepository(connection).timelines(for: [pledge], asOf: CalendarDate(iso: "2024-03-01")!)["eu-1m-rounds"])
            #expect(whole.points.count > BurnUp.limit)
            let burnUp = BurnUp.points(whole.points)
            let timeline = try #require(copied["eu-1m-rounds"]?["timeline"] as? [[String: Any]])
            #expect(timeline.count == BurnUp.limit)
            #expect(timeline.map { $0["date"] as? String ?? "" } == burnUp.map(\.date.description))
            #expect(timeline.map { $0["cumulative"] as? String ?? "" } == burnUp.map(\.cumulative.plainText))
            #expect(timeline.last?["cumulative"] as? String == "340000")
            // The daemon's document (parsed, not copied) is the same document.
            let document = try DashboardService(connection: connection).document()
            let exported = Data(try db.succeed(["export"]).stdout.utf8)
            #expect(try DashboardDocument.encoder.encode(document) + [0x0A] == exported)
        }
    }

    @Test("assessments stored before migration 0010 (no revision fingerprint, no burn-up) are shown through their timelines, the same bytes")
    func storedBeforeRevisions() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            try db.succeed(["evaluate", "--as-of", "2024-01-15"])
            let copied = try db.succeed(["export"]).stdout
            let connection = try db.connect()
            defer { connection.close() }
            // A stored summary not in the layout this version writes (jsonb's, as migration 0009 left older
            // ones) is parsed, not copied: the same document, as the daemon's is.
            try connection.execute("UPDATE assessment SET summary = summary::jsonb::json")
            #expect(try connection.query("SELECT bool_and(summary::text LIKE '%\"pledge\": %') FROM assessment").scalar(Bool.self))
            let parsed = try db.succeed(["export"]).stdout
            #expect(parsed == copied)
            try connection.execute("UPDATE assessment SET revision_fingerprint = NULL, burnup_days = NULL, burnup_totals = NULL")
            let throughTimelines = try db.succeed(["export"]).stdout
            #expect(throughTimelines == copied)
            #expect(try ExportTests.entries(CommandResult(status: 0, stdout: throughTimelines, stderr: "")).values.allSatisfy {
                $0["assessmentSource"] as? String == "evaluation"
            })
        }
    }

    @Test("migration 0010 gives every pledge with entries revision 1, and none to the others")
    func backfill() throws {
        try ScratchDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            defer { connection.close() }
            try Migrator(migrations: Migration.all.filter { $0.name < "0010" }).migrate(on: connection)
            // Twelve pledges, all but the first with entries (written in SQL: the commands want the schema current).
            try connection.executeScript(SummaryMigrationTests.ledger)
            #expect(try Migrator().migrate(on: connection) == ["0010_ledger_revision_and_burnup.sql"])
            let withEntries = Set(
                try connection.query("SELECT DISTINCT p.public_id FROM delivery d JOIN pledge p ON p.id = d.pledge_id").map {
                    try $0.decode(String.self, at: 0)
                })
            let revisions = try Self.revisions(db)
            #expect(!withEntries.isEmpty && withEntries.count < revisions.count)
            #expect(revisions == Dictionary(uniqueKeysWithValues: revisions.keys.map { ($0, withEntries.contains($0) ? 1 : 0) }))
        }
    }
}
