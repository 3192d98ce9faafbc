import Foundation
import PledgeCore
import PledgeService
import PledgeStore
import Postgres
import Testing
import TestSupport

/// Migration 0009 stores `assessment.summary` as json instead of jsonb, rewriting the summaries already
/// stored as jsonb's text of them, and drops the alert index that duplicated the unique one.
@Suite("migration 0009")
struct SummaryMigrationTests {
    static let asOf = CalendarDate(iso: "2024-06-30")!

    /// Pledges in whole rounds and in euros with cents, one with nothing delivered yet.
    static let ledger = """
        INSERT INTO party (name) VALUES ('Donor');
        INSERT INTO pledge (public_id, donor_id, recipient, title, category, unit, unit_scale, announced_on, counts_from,
                            status, created_by)
        SELECT 'p-' || i, 1, 'Ukraine', 'Pledge ' || i, 'military', CASE WHEN i % 2 = 0 THEN 'EUR' ELSE 'rounds' END,
               CASE WHEN i % 2 = 0 THEN 2 ELSE 0 END, date '2023-01-01', date '2023-01-01', 'committed', 'test'
        FROM generate_series(1, 12) i;
        INSERT INTO pledge_terms (pledge_id, revision, target, deadline, effective_on, recorded_by)
        SELECT id, 1, 9000.5 * id, date '2024-08-01' + (40 * id)::int, date '2023-01-01', 'test' FROM pledge;
        INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, recorded_by)
        SELECT p.id, 'delivery', date '2023-01-01' + (9 * d + p.id)::int, CASE WHEN p.id % 2 = 0 THEN 10.25 * d ELSE 7 * d + p.id END, 'test'
        FROM pledge p, generate_series(1, 5 + 4 * p.id) d WHERE p.id > 1;
        """

    func summaries(_ connection: Connection, run: UUID) throws -> [String: AssessmentSummary] {
        try AssessmentRepository(connection).summaries(runID: run).mapValues(\.summary)
    }

    @Test("summaries stored as jsonb read back the same after the cast to json, and new ones as they were made")
    func summariesSurvive() throws {
        try ScratchDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            // Every migration but 0009: the later ones, which today's evaluator needs, do not touch what 0009 does.
            try Migrator(migrations: Migration.all.filter { $0.name != "0009_leaner_evaluation_writes.sql" }).migrate(on: connection)
            try connection.executeScript(Self.ledger)
            let first = try Evaluator(connection: connection).run(asOf: Self.asOf)
            let before = try summaries(connection, run: first.runID)
            #expect(before.count == 12)
            #expect(Set(before.values.map(\.status)).count > 1, "the pledges stand differently")
            #expect(try connection.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'alert_pledge'").scalar(Int.self) == 1)

            #expect(try Migrator().migrate(on: connection) == ["0009_leaner_evaluation_writes.sql"])
            #expect(
                try connection.query(
                    "SELECT data_type FROM information_schema.columns WHERE table_name = 'assessment' AND column_name = 'summary'"
                ).scalar(String.self) == "json")
            #expect(try connection.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'alert_pledge'").scalar(Int.self) == 0)
            // Rewritten, as jsonb printed them (": " between key and value), and read alike.
            #expect(try connection.query("SELECT bool_and(summary::text LIKE '%\"pledge\": %') FROM assessment").scalar(Bool.self))
            #expect(try summaries(connection, run: first.runID) == before)

            // A run after the migration stores each summary as written, and it reads back as the assessment's.
            let second = try Evaluator(connection: connection).run(asOf: Self.asOf)
            let scales = Dictionary(uniqueKeysWithValues: try PledgeRepository(connection).list().map { ($0.publicID, $0.unit.scale) })
            let expected = Dictionary(uniqueKeysWithValues: second.assessments.map { ($0.pledgeID, AssessmentSummary($0, scale: scales[$0.pledgeID]!)) })
            #expect(try summaries(connection, run: second.runID) == expected)
            #expect(try connection.query("SELECT bool_and(summary::text LIKE '%\"pledge\":\"%') FROM assessment WHERE run_id = \(second.runID)").scalar(Bool.self))
        }
    }
}
