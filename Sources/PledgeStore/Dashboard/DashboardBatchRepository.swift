import Foundation
import PledgeCore
import Postgres

/// What a dashboard needs of a batch of pledges besides the pledges themselves, read by one statement:
/// each pledge's timeline (as `TimelineRepository` reads it), the assessment a run stored for it, and its
/// open alerts' fingerprints. One statement rather than three, so the server reads all of it while the
/// caller works on the previous batch, and no round trip waits on the caller's thread (a medium export
/// spent 3–4 ms a batch on the two smaller statements, twenty times, with the client idle).
public struct DashboardBatchRepository {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// Sends the statement for `pledges` as of `asOf`, with the assessments stored by `runID` (none
    /// without one), and returns at once. Nothing else may run on the connection until it is read, or that
    /// waits for it first.
    public func start(for pledges: [Pledge], asOf: CalendarDate, runID: UUID?) throws -> Pending {
        Pending(pending: pledges.isEmpty ? nil : try connection.start(Self.query(for: pledges, asOf: asOf, runID: runID)), asOf: asOf)
    }

    public struct Pending {
        let pending: PendingQuery?
        let asOf: CalendarDate

        /// The batch's rows, as the server sent them: parsing them is left to the caller's other threads.
        public func batch() throws -> DashboardBatch {
            guard let pending else { return DashboardBatch(rows: [:], asOf: asOf) }
            var rows: [String: DashboardBatch.Row] = [:]
            for row in try pending.rows() {
                let (id, days, changes, summary, inputs, fingerprints) = try row.decode(
                    (String, String?, String?, String?, Int64?, String?).self)
                rows[id] = DashboardBatch.Row(
                    arrays: TimelineRepository.arrays(days: days, changes: changes),
                    stored: summary.map { (json: $0, inputs: inputs) }, fingerprints: fingerprints)
            }
            return DashboardBatch(rows: rows, asOf: asOf)
        }
    }

    // Each part is driven by the pledge, found by its public id's unique index: one range of the ledger's
    // covering index (as `TimelineRepository` reads it), one probe of assessment's (run_id, pledge_id)
    // index and one of alert's unique (pledge_id, rule) index per pledge. As plain joins, the planner
    // scanned whole tables once per batch: the assessments whenever the run's rows were most of the
    // history (a young one), the alerts before they had statistics (100,000 rows per batch at the large
    // scale). OFFSET 0 keeps the stored assessment's subquery from being flattened into a join. The open
    // alerts' fingerprints come by rule in byte order, as the document lists them.
    static func query(for pledges: [Pledge], asOf: CalendarDate, runID: UUID?) -> PostgresQuery {
        """
        SELECT p.public_id, d.days::text, d.changes::text, a.summary::text, a.inputs_fingerprint, f.fingerprints::text
        FROM pledge p
        CROSS JOIN LATERAL (\(TimelineRepository.arrays(asOf: asOf))) d
        LEFT JOIN LATERAL (
            SELECT summary, inputs_fingerprint FROM assessment WHERE run_id = \(runID) AND pledge_id = p.id OFFSET 0
        ) a ON true
        CROSS JOIN LATERAL (
            SELECT array_agg(fingerprint ORDER BY rule COLLATE "C") AS fingerprints
            FROM alert WHERE pledge_id = p.id AND state IN ('pending', 'firing')
        ) f
        WHERE p.public_id = ANY (string_to_array(\(pledges.map(\.publicID).joined(separator: ",")), ','))
        """
    }
}

/// A batch of dashboard reads as the server sent them, parsed a pledge at a time on any thread.
public struct DashboardBatch: Sendable {
    struct Row: Sendable {
        let arrays: TimelineBatch.Arrays?
        /// The stored assessment's JSON and its inputs' fingerprint (none before migration 0007).
        let stored: (json: String, inputs: Int64?)?
        /// `{8c174a173c18e850,…}`: the open alerts' fingerprints; nil without any.
        let fingerprints: String?
    }

    let rows: [String: Row]
    public let asOf: CalendarDate

    /// The pledge's timeline as of the batch's day (anchored at its counting start; empty when nothing
    /// was delivered).
    public func timeline(for pledge: Pledge) throws -> Timeline {
        try TimelineBatch.timeline(of: rows[pledge.publicID]?.arrays, for: pledge, asOf: asOf)
    }

    /// The assessment the run stored for the pledge, if it stored one.
    public func stored(for pledge: Pledge) throws -> AssessmentRepository.Stored? {
        guard let stored = rows[pledge.publicID]?.stored else { return nil }
        do {
            return AssessmentRepository.Stored(summary: try AssessmentRepository.summary(stored: stored.json), inputs: stored.inputs)
        } catch {
            throw PostgresError(code: .decoding, message: "the stored assessment of \(pledge.publicID) cannot be read: \(error)")
        }
    }

    /// The fingerprints of the pledge's open alerts, by rule.
    public func openAlerts(for pledge: Pledge) throws -> [String] {
        guard let text = rows[pledge.publicID]?.fingerprints else { return [] }
        var fingerprints: [String] = []
        try TimelineBatch.forEachElement(of: text) { element in
            // Sixteen hexadecimal digits (FNV-1a, 64 bits): never quoted in an array's text.
            guard element.count == 16, element.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw PostgresError(
                    code: .decoding,
                    message: "the open alerts of \(pledge.publicID) have the fingerprint \"\(String(decoding: element, as: UTF8.self))\"")
            }
            fingerprints.append(String(decoding: element, as: UTF8.self))
        }
        return fingerprints
    }
}
