import Foundation
import PledgeCore
import Postgres

/// The forecast history: every assessment of every evaluation, appended with COPY.
public struct AssessmentRepository {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// One assessment as its COPY line carries it, but for the pledge's row id. An evaluation prepares them
    /// on the cores that assess (three JSON texts and a dozen numbers each), not on the connection's thread.
    public struct Record: Sendable {
        let pledgeID: String
        let fields: [String?]

        /// `inputs`, `revisionInputs`: the fingerprints of what `a` was made from (`AssessmentInputs`);
        /// `burnUp`: the points a dashboard draws of its timeline (`BurnUp`).
        public init(_ a: Assessment, scale: Int, runID: UUID, inputs: Int64, revisionInputs: Int64, burnUp: [Timeline.Point]) {
            pledgeID = a.pledgeID
            fields = [
                runID.uuidString.lowercased(), a.asOf.description, a.status.rawValue, a.statusReason,
                a.target.plainText, a.deadline.description, a.delivered.plainText, a.remaining.plainText,
                String(a.daysLeft), a.requiredRate.map(AssessmentRepository.number), AssessmentRepository.number(a.observedRate),
                a.paceRatio.map(AssessmentRepository.number), AssessmentRepository.number(a.projectedTotal.p10),
                AssessmentRepository.number(a.projectedTotal.p50), AssessmentRepository.number(a.projectedTotal.p90),
                AssessmentRepository.number(a.shortfall), a.probabilityOnTime.map(AssessmentRepository.number),
                a.completion.p10?.description, a.completion.p50?.description, a.completion.p90?.description, a.method,
                CompactJSON.text(a.alternatives), String(a.observations), String(a.spanDays), a.grade.rawValue,
                CompactJSON.text(a.gradeReasons), AssessmentSummary(a, scale: scale).compactJSON, String(inputs),
                String(revisionInputs), BurnUpArrays.days(burnUp), BurnUpArrays.totals(burnUp),
            ]
        }
    }

    /// Appends one evaluation's assessments, prepared as records; `pledgeRowIDs` maps public ids to row
    /// ids (`pledgeRowIDs()`, read once per evaluation).
    public func append(_ records: [Record], pledgeRowIDs ids: [String: Int]) throws {
        try connection.copyIn(
            """
            COPY assessment (pledge_id, run_id, as_of, status, status_reason, target, deadline, delivered, remaining,
                             days_left, required_rate, observed_rate, pace_ratio, total_p10, total_p50, total_p90,
                             shortfall, probability, completion_p10, completion_p50, completion_p90, method,
                             alternatives, observations, span_days, grade, grade_reasons, summary, inputs_fingerprint,
                             revision_fingerprint, burnup_days, burnup_totals)
            FROM STDIN
            """
        ) { writer in
            for record in records {
                guard let id = ids[record.pledgeID] else { continue }
                try writer.write([String(id)] + record.fields)
            }
        }
    }

    /// Notes a run before its assessments: its as-of day and the policy it assesses with.
    public func beginRun(_ runID: UUID, asOf: CalendarDate, policy: AssessmentPolicy) throws {
        try connection.execute(
            "INSERT INTO evaluation_run (run_id, as_of, policy) VALUES (\(runID), \(asOf), \(try policy.storedJSON())::jsonb)")
    }

    /// An evaluation run whose assessments are stored.
    public struct Run: Sendable {
        public let runID: UUID
        public let asOf: CalendarDate
        public let evaluatedAt: Date
        /// What it assessed with; nil for a run stored before migration 0007, which did not record it.
        public let policy: AssessmentPolicy?
    }

    /// The latest evaluation run that stored assessments; nil before the first.
    public func latestRun() throws -> Run? {
        guard let row = try connection.query(
            """
            SELECT a.run_id, a.as_of, a.evaluated_at, r.policy::text
            FROM (SELECT run_id, as_of, evaluated_at FROM assessment ORDER BY id DESC LIMIT 1) a
            LEFT JOIN evaluation_run r ON r.run_id = a.run_id
            """
        ).first else { return nil }
        let (runID, asOf, evaluatedAt, policy) = try row.decode((UUID, CalendarDate, Date, String?).self)
        return Run(runID: runID, asOf: asOf, evaluatedAt: evaluatedAt, policy: try policy.map(AssessmentPolicy.init(storedJSON:)))
    }

    /// A stored assessment as documents carry it, and the fingerprint of what it was made from (nil when
    /// stored before migration 0007).
    public struct Stored: Sendable {
        public let summary: AssessmentSummary
        public let inputs: Int64?
    }

    /// The assessments of one run, keyed by pledge. (A dashboard reads them a batch at a time with the rest
    /// of what it shows: `DashboardBatchRepository`.)
    public func summaries(runID: UUID) throws -> [String: Stored] {
        var result: [String: Stored] = [:]
        for row in try connection.query(
            """
            SELECT p.public_id, a.summary::text, a.inputs_fingerprint
            FROM assessment a JOIN pledge p ON p.id = a.pledge_id
            WHERE a.run_id = \(runID)
            """)
        {
            let (id, json, inputs) = try row.decode((String, String, Int64?).self)
            result[id] = Stored(summary: try AssessmentSummary(storedJSON: json), inputs: inputs)
        }
        return result
    }

    /// One pledge's assessment history, newest first.
    public func history(pledgeID: String, limit: Int = 100) throws -> [AssessmentSummary] {
        try connection.query(
            """
            SELECT a.summary::text FROM assessment a JOIN pledge p ON p.id = a.pledge_id
            WHERE p.public_id = \(pledgeID) ORDER BY a.id DESC LIMIT \(limit)
            """
        ).map { try AssessmentSummary(storedJSON: $0.decode(String.self, at: 0)) }
    }

    /// The latest status recorded for each pledge before this evaluation.
    /// One index probe per pledge: the cost follows the number of pledges, not the length of the history.
    public func latestStatuses() throws -> [String: PledgeHealth] {
        var statuses: [String: PledgeHealth] = [:]
        for row in try connection.query(
            """
            SELECT p.public_id, a.status FROM pledge p
            CROSS JOIN LATERAL (
                SELECT status FROM assessment WHERE pledge_id = p.id ORDER BY id DESC LIMIT 1
            ) a
            """)
        {
            let (id, status) = try row.decode((String, String).self)
            statuses[id] = PledgeHealth(rawValue: status)
        }
        return statuses
    }

    /// Every pledge's row id by public id.
    public func pledgeRowIDs() throws -> [String: Int] {
        var ids: [String: Int] = [:]
        for row in try connection.query("SELECT public_id, id FROM pledge") {
            let (publicID, id) = try row.decode((String, Int).self)
            ids[publicID] = id
        }
        return ids
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : (value > 0 ? "Infinity" : "-Infinity")
    }
}
