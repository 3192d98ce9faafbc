import Foundation
import PledgeCore
import PledgeService
import Postgres
import Testing
import TestSupport

/// The alert history's reference to its alert is checked with a plan PostgreSQL caches for the session.
/// Chosen while the alert table is a page or two, that plan is a sequential scan, and an evaluation that
/// then writes hundreds of transitions scans the whole table for each one. These tests count the scans
/// of `alert` (PostgreSQL's own statistics) around evaluations where that used to happen.
@Suite("alert history checks stay index probes")
struct AlertHistoryPlanTests {
    static let asOf = CalendarDate(iso: "2024-06-30")!

    /// Pledges `p-<from>` … `p-<through>` (ids in that order), nothing delivered a year and a half in: each
    /// committed one is stalled and raises an alert, each withdrawn one raises none.
    func addPledges(_ connection: Connection, _ from: Int, through: Int, withdrawnThrough: Int = 0) throws {
        try connection.execute(
            """
            INSERT INTO pledge (public_id, donor_id, recipient, title, category, unit, unit_scale, announced_on, counts_from,
                                status, created_by)
            SELECT 'p-' || lpad(i::text, 5, '0'), (SELECT id FROM party), 'Ukraine', 'Pledge ' || i, 'military', 'rounds', 0,
                   date '2023-01-01', date '2023-01-01', CASE WHEN i <= \(withdrawnThrough) THEN 'withdrawn' ELSE 'committed' END,
                   'test'
            FROM generate_series(\(from), \(through)) i
            """)
        try connection.execute(
            """
            INSERT INTO pledge_terms (pledge_id, revision, target, deadline, effective_on, recorded_by)
            SELECT id, 1, 1000, date '2024-12-31', date '2023-01-01', 'test' FROM pledge
            WHERE id NOT IN (SELECT pledge_id FROM pledge_terms)
            """)
    }

    /// A fresh database whose alert table PostgreSQL has analysed while (nearly) empty, as autovacuum or an
    /// operator's `ANALYZE` leaves it: the planner then goes by the table's actual pages.
    func migrated(_ db: ScratchDatabase) throws -> Connection {
        #expect(try Pledgewatch.run(["migrate"], database: db.conninfo).status == 0)
        let connection = try db.connect()
        try connection.execute("INSERT INTO party (name) VALUES ('Donor')")
        try connection.execute("ANALYZE alert")
        return connection
    }

    /// Sequential scans of `alert` counted so far, this session's included: the session's pending counts
    /// are flushed before the statement's answer comes back (`pg_stat_force_next_flush`), and the next
    /// statement, a transaction of its own, reads them afresh.
    func alertScans(_ connection: Connection) throws -> Int {
        try connection.execute("SELECT pg_stat_force_next_flush()")
        return try connection.query("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'alert'").scalar(Int.self)
    }

    @Test("a first evaluation whose first batch raises ten alerts and its second five hundred probes the alert table by index")
    func firstBatchFewAlerts() throws {
        try ScratchDatabase.with { db in
            let connection = try migrated(db)
            // Batches of 500 by id: the first has 490 withdrawn pledges and 10 stalled, the second 500 stalled.
            try addPledges(connection, 1, through: 1000, withdrawnThrough: 490)
            let before = try alertScans(connection)
            _ = try Evaluator(connection: connection).run(asOf: Self.asOf)
            let scans = try alertScans(connection) - before
            #expect(try connection.query("SELECT count(*) FROM alert_event").scalar(Int.self) == 510)
            // Reading the stored alerts is one scan; checked as they were written, each of the second batch's 500
            // transitions was one more.
            #expect(scans < 50, "\(scans) sequential scans of the alert table for 510 transitions")
        }
    }

    @Test("a long-lived connection's next evaluation, after the alerts grew fiftyfold, probes the alert table by index")
    func growthBetweenEvaluations() throws {
        try ScratchDatabase.with { db in
            let connection = try migrated(db)
            try addPledges(connection, 1, through: 10)
            // `serve` evaluates on one connection for days: the first run caches the check's plan for ten alerts.
            _ = try Evaluator(connection: connection).run(asOf: Self.asOf)
            try addPledges(connection, 11, through: 510)
            let before = try alertScans(connection)
            _ = try Evaluator(connection: connection).run(asOf: Self.asOf)
            let scans = try alertScans(connection) - before
            // Ten pending alerts fire, five hundred new ones are pending.
            #expect(try connection.query("SELECT count(*) FROM alert_event").scalar(Int.self) == 520)
            #expect(scans < 50, "\(scans) sequential scans of the alert table for 510 transitions")
        }
    }
}
