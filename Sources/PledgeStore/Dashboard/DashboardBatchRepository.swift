import Foundation
import PledgeCore
import Postgres

/// What a dashboard needs of a batch of pledges besides the pledges themselves, read by one statement:
/// the assessment a run stored for each (its summary, the two figures the dashboard's summary adds up, the
/// burn-up kept with it), its open alerts' fingerprints, and — only for the pledges the caller names — its
/// timeline (as `TimelineRepository` reads it). One statement rather than several, so the server reads all
/// of it while the caller works on the previous batch, and no round trip waits on the caller's thread.
///
/// A pledge whose stored assessment still holds (`AssessmentInputs.revisionFingerprint`, compared by the
/// caller against `ledgerState`) needs no timeline: the burn-up stored with it is what its entry draws. So an export right
/// after an evaluation reads no ledger entry at all (the medium ledger's timelines were 220 ms of server
/// time, more than the whole of the benchmark's `json_agg` baseline).
public struct DashboardBatchRepository {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// A pledge's ledger revision now, the revision fingerprint of the inputs the run's stored assessment
    /// was made from (`AssessmentInputs.revisionFingerprint`; nil: none stored, or stored before migration
    /// 0010), and whether a burn-up was stored with it.
    public struct LedgerState: Sendable, Equatable {
        public let revision: Int64
        public let storedInputs: Int64?
        public let storedBurnUp: Bool
    }

    /// Every pledge's `LedgerState` for the run `runID` (none: no stored fingerprints), by public id: one
    /// small row per pledge, read before the batches to tell which need their timelines.
    public func ledgerState(runID: UUID?) throws -> [String: LedgerState] {
        var states: [String: LedgerState] = [:]
        for row in try connection.query(
            """
            SELECT p.public_id, coalesce(r.revision, 0), a.revision_fingerprint, a.burnup_days IS NOT NULL
            FROM pledge p
            LEFT JOIN ledger_revision r ON r.pledge_id = p.id
            LEFT JOIN assessment a ON a.run_id = \(runID) AND a.pledge_id = p.id
            """)
        {
            let (id, revision, inputs, burnUp) = try row.decode((String, Int64, Int64?, Bool).self)
            states[id] = LedgerState(revision: revision, storedInputs: inputs, storedBurnUp: burnUp)
        }
        return states
    }

    /// Sends the statement for `pledges` as of `asOf`, with the assessments stored by `runID` (none
    /// without one) and the timelines of the pledges in `timelines`, and returns at once. Nothing else may
    /// run on the connection until it is read, or that waits for it first.
    public func start(for pledges: [Pledge], timelines: Set<String>, asOf: CalendarDate, runID: UUID?) throws -> Pending {
        Pending(
            pending: pledges.isEmpty
                ? nil
                : try connection.start(
                    Self.query(for: pledges, timelines: pledges.map(\.publicID).filter(timelines.contains), asOf: asOf, runID: runID)),
            asOf: asOf)
    }

    public struct Pending {
        let pending: PendingQuery?
        let asOf: CalendarDate

        /// The batch's rows, as the server sent them: parsing them is left to the caller's other threads.
        public func batch() throws -> DashboardBatch {
            guard let pending else { return DashboardBatch(rows: [:], asOf: asOf) }
            var rows: [String: DashboardBatch.Row] = [:]
            for row in try pending.rows() {
                let (id, days, changes, summary, inputs, status, delivered, burnUpDays, burnUpTotals, fingerprints) = try row.decode(
                    (String, String?, String?, String?, Int64?, String?, String?, String?, String?, String?).self)
                rows[id] = DashboardBatch.Row(
                    arrays: TimelineRepository.arrays(days: days, changes: changes),
                    stored: summary.map { summary in
                        DashboardBatch.StoredRow(
                            json: summary, inputs: inputs, status: status ?? "", delivered: delivered ?? "",
                            burnUp: burnUpDays.flatMap { days in burnUpTotals.map { (days: days, totals: $0) } })
                    },
                    fingerprints: fingerprints)
            }
            return DashboardBatch(rows: rows, asOf: asOf)
        }
    }

    // Each part is driven by the pledge, found by its public id's unique index: one range of the ledger's
    // covering index (as `TimelineRepository` reads it) for the pledges named in `timelines` only, one
    // probe of assessment's (run_id, pledge_id) index and one of alert's unique (pledge_id, rule) index per
    // pledge. As plain joins, the planner scanned whole tables once per batch: the assessments whenever the
    // run's rows were most of the history (a young one), the alerts before they had statistics (100,000
    // rows per batch at the large scale). OFFSET 0 keeps the stored assessment's subquery from being
    // flattened into a join. The open alerts' fingerprints come by rule in byte order, as the document
    // lists them.
    // A batch that needs no timeline does not name the ledger at all.
    static func query(for pledges: [Pledge], timelines: [String], asOf: CalendarDate, runID: UUID?) -> PostgresQuery {
        let arrays: PostgresFragment =
            timelines.isEmpty
            ? "SELECT NULL::integer[] AS days, NULL::numeric[] AS changes"
            : TimelineRepository.arrays(asOf: asOf, only: timelines.joined(separator: ","))
        return """
        SELECT p.public_id, d.days::text, d.changes::text, a.summary::text, a.inputs_fingerprint, a.status, a.delivered::text,
               a.burnup_days::text, a.burnup_totals::text, f.fingerprints::text
        FROM pledge p
        CROSS JOIN LATERAL (\(arrays)) d
        LEFT JOIN LATERAL (
            SELECT summary, inputs_fingerprint, status, delivered, burnup_days, burnup_totals
            FROM assessment WHERE run_id = \(runID) AND pledge_id = p.id OFFSET 0
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
        /// The timeline's arrays: nil when it was not asked for, or the pledge has no entries.
        let arrays: TimelineBatch.Arrays?
        let stored: StoredRow?
        /// `{8c174a173c18e850,…}`: the open alerts' fingerprints; nil without any.
        let fingerprints: String?
    }

    /// A stored assessment as read.
    struct StoredRow: Sendable {
        let json: String
        /// Its inputs' fingerprint (none before migration 0007).
        let inputs: Int64?
        let status: String
        let delivered: String
        /// The burn-up's two arrays (none before migration 0010).
        let burnUp: (days: String, totals: String)?
    }

    let rows: [String: Row]
    public let asOf: CalendarDate

    /// The pledge's timeline as of the batch's day (anchored at its counting start; empty when nothing
    /// was delivered, or when its timeline was not asked for).
    public func timeline(for pledge: Pledge) throws -> Timeline {
        try TimelineBatch.timeline(of: rows[pledge.publicID]?.arrays, for: pledge, asOf: asOf)
    }

    /// The assessment the run stored for the pledge, parsed, if it stored one.
    public func stored(for pledge: Pledge) throws -> AssessmentRepository.Stored? {
        guard let stored = rows[pledge.publicID]?.stored else { return nil }
        do {
            return AssessmentRepository.Stored(summary: try AssessmentSummary(storedJSON: stored.json), inputs: stored.inputs)
        } catch {
            throw PostgresError(code: .decoding, message: "the stored assessment of \(pledge.publicID) cannot be read: \(error)")
        }
    }

    /// The assessment the run stored for the pledge as it was stored, for a document to copy, with the
    /// burn-up stored beside it; nil when the run stored no assessment or no burn-up for it.
    public func storedForCopying(for pledge: Pledge) throws -> (summary: DashboardDocument.EntryAssessment.StoredSummary, burnUp: [Timeline.Point])? {
        guard let stored = rows[pledge.publicID]?.stored, let burnUp = stored.burnUp else { return nil }
        return (
            DashboardDocument.EntryAssessment.StoredSummary(json: stored.json, status: stored.status, delivered: stored.delivered),
            try BurnUpArrays.points(days: burnUp.days, totals: burnUp.totals, pledge: pledge.publicID)
        )
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
