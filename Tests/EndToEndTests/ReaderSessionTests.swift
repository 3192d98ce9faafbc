import Foundation
import PledgeCore
import PledgeService
import Postgres
import Synchronization
import Testing
import TestSupport

/// `evaluate` reads the timelines on a second session, a batch ahead, while the first writes. Whatever
/// session reads them, each pledge must be assessed on its own timeline.
@Suite("evaluate with a reader session")
struct ReaderSessionTests {
    static let asOf = CalendarDate(iso: "2024-06-30")!

    @Test("three batches read ahead on a second session give every pledge the assessment of its own timeline")
    func readerGivesTheSameAssessments() throws {
        try ScratchDatabase.with { db in
            let connection = try db.connect()
            // 1,234 pledges (three batches of 500 and less), each with its own pace and target, so a timeline
            // handed to the wrong pledge shows.
            try connection.executeScript(
                """
                INSERT INTO party (name) VALUES ('Donor');
                INSERT INTO pledge (public_id, donor_id, recipient, title, category, unit, unit_scale, announced_on,
                                    counts_from, status, created_by)
                SELECT 'p-' || lpad(i::text, 5, '0'), (SELECT id FROM party), 'Ukraine', 'Pledge ' || i, 'military',
                       'rounds', 0, date '2023-01-01', date '2023-01-01', 'committed', 'test'
                FROM generate_series(1, 1234) i;
                INSERT INTO pledge_terms (pledge_id, revision, target, deadline, effective_on, recorded_by)
                SELECT id, 1, 1000 * (20 + id % 97), date '2024-09-30' + (id % 200)::int, date '2023-01-01', 'test' FROM pledge;
                INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, recorded_by)
                SELECT p.id, 'delivery', date '2023-01-01' + (d * (3 + p.id % 11))::int, 1 + (p.id * 7 + d * 13) % (40 + p.id % 300), 'test'
                FROM pledge p, generate_series(1, 40 + (p.id % 25)::int) d
                WHERE date '2023-01-01' + (d * (3 + p.id % 11))::int <= date '2024-06-30';
                ANALYZE;
                """)
            let reader = try db.connect()
            var evaluator = Evaluator(connection: connection)
            let opened = Mutex(0)
            evaluator.openReader = {
                opened.withLock { $0 += 1 }
                return reader
            }
            let report = try evaluator.run(asOf: Self.asOf)
            #expect(opened.withLock { $0 } == 1)
            #expect(report.pledges == 1234)
            // The reference: each pledge's timeline read on its own session, between nothing else.
            let reference = try Evaluator(connection: try db.connect()).assessOnly(asOf: Self.asOf).map(\.2)
            #expect(report.assessments.count == reference.count)
            #expect(report.assessments == reference)
            #expect(Set(report.assessments.map(\.delivered)).count > 100, "the pledges' timelines differ")
            // The reader's transaction ended with the evaluation: the session is idle, not idle in transaction.
            let readerPID = try reader.query("SELECT pg_backend_pid()").scalar(Int.self)
            #expect(try connection.query("SELECT state FROM pg_stat_activity WHERE pid = \(readerPID)").scalar(String.self) == "idle")
        }
    }

    @Test("one batch opens no second session; a second session that cannot be opened leaves the first to read")
    func readerOnlyWhenItHelps() throws {
        try ScratchDatabase.with { db in
            let connection = try db.connect()
            #expect(try Pledgewatch.run(["seed", "--by", "test"], database: db.conninfo).status == 0)
            var evaluator = Evaluator(connection: connection)
            evaluator.openReader = { Issue.record("opened a reader for one batch"); return try db.connect() }
            let one = try evaluator.run(asOf: CalendarDate(iso: "2023-11-14")!)
            #expect(one.pledges == 4)
            // Many batches, and the second session refused: the evaluation goes on with one.
            try connection.executeScript(
                """
                INSERT INTO pledge (public_id, donor_id, recipient, title, category, unit, unit_scale, announced_on,
                                    counts_from, status, created_by)
                SELECT 'p-' || lpad(i::text, 5, '0'), (SELECT min(id) FROM party), 'Ukraine', 'Pledge ' || i, 'military',
                       'rounds', 0, date '2023-01-01', date '2023-01-01', 'committed', 'test'
                FROM generate_series(1, 600) i;
                INSERT INTO pledge_terms (pledge_id, revision, target, deadline, effective_on, recorded_by)
                SELECT id, 1, 1000, date '2024-12-31', date '2023-01-01', 'test' FROM pledge
                WHERE id NOT IN (SELECT pledge_id FROM pledge_terms);
                """)
            evaluator.openReader = { throw PostgresError(code: .usage, message: "too many connections") }
            let many = try evaluator.run(asOf: CalendarDate(iso: "2023-11-14")!)
            #expect(many.pledges == 604)
            #expect(try connection.query("SELECT count(*) FROM assessment WHERE run_id = \(many.runID)").scalar(Int.self) == 604)
        }
    }
}
