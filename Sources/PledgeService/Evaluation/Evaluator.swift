import Dispatch
import Foundation
import Synchronization
import Logging
import PledgeCore
import PledgeStore
import Postgres

/// One evaluation: timelines → assessments → alert transitions → outbox, all in one transaction, under an
/// advisory lock so two runs never overlap (the second gives up at once with `EvaluationBusy`).
public struct Evaluator {
    /// The advisory-lock key evaluations serialize on ("pw-eval").
    public static let lockKey: Int64 = 0x7077_2D65_7661_6C
    /// Pledges are assessed in batches so memory stays flat however large the ledger grows.
    static let batchSize = 500

    public let connection: Connection
    public var policy = AssessmentPolicy()
    public var machine = AlertStateMachine()
    /// Where firing/resolved notifications are POSTed; nil: no outbox rows.
    public var webhookURL: String?
    public var logger = Logger(label: "pledgewatch.evaluate")
    /// Wall-clock time of the run (startsAt/endsAt of alerts).
    public var now = Date()
    /// Whether the report carries every assessment (`--verbose`, `--json`); without, memory stays that of
    /// one batch however many pledges there are.
    public var keepAssessments = true

    /// Opens a second session for reading timelines while `connection` writes; asked only when there is
    /// more than one batch to read. nil, or an error from it: `connection` reads too.
    public var openReader: (() throws -> Connection)?

    public init(connection: Connection) { self.connection = connection }

    /// Evaluates every pledge as of `asOf` (default: today) and returns what changed.
    public func run(asOf: CalendarDate? = nil) throws -> EvaluationReport {
        // An as-of day asked for must not go back; today always may (a run left as of a later day, by an
        // earlier release or a clock that ran ahead, must not block cron and serve until that day).
        let explicit = asOf != nil
        let asOf = asOf ?? CalendarDate.today(now: now)
        guard try connection.tryAdvisoryLock(Self.lockKey) else { throw EvaluationBusy() }
        defer { _ = try? connection.advisoryUnlock(Self.lockKey) }
        let started = ContinuousClock.now
        let runID = UUID()
        let report = try connection.withTransaction { tx in
            try evaluate(on: tx, asOf: asOf, explicit: explicit, runID: runID)
        }
        logger.info("evaluated", metadata: ["pledges": "\(report.count)", "changes": "\(report.changes.count)", "asOf": "\(asOf)"])
        return EvaluationReport(
            runID: runID, asOf: asOf, pledges: report.count, assessments: report.assessments, changes: report.changes,
            duration: ContinuousClock.now - started)
    }

    /// Assessments only: nothing is stored (for `check`).
    public func assessOnly(asOf: CalendarDate) throws -> [(Pledge, Timeline, Assessment)] {
        var result: [(Pledge, Timeline, Assessment)] = []
        try Self.assessInBatches(
            try PledgeRepository(connection).list(asOf: asOf), asOf: asOf, assessor: Assessor(policy: policy), on: connection
        ) { result += $0 }
        return result
    }

    /// Assesses `pledges` a batch at a time — each batch's timelines read in one query, its assessments
    /// spread over the cores — and hands the batches to `body` in order. A batch is assessed in the
    /// background while `body` stores the one before it, so the database work and the Monte Carlo share
    /// the time instead of taking turns; at most two batches are in memory (and, with a reader, the next
    /// batch's unparsed timelines).
    static func assessInBatches(
        _ pledges: [Pledge], asOf: CalendarDate, assessor: Assessor, on connection: Connection,
        _ body: ([(Pledge, Timeline, Assessment)]) throws -> Void
    ) throws {
        try assessInBatches(pledges, asOf: asOf, assessor: assessor, on: connection, prepare: { _, _, _ in () }) { evaluated in
            try body(evaluated.map { ($0.0, $0.1, $0.2) })
        }
    }

    /// As above, and `prepare` turns each assessment into what `body` will store, on the assessing cores
    /// rather than on the connection's thread.
    static func assessInBatches<Prepared: Sendable>(
        _ pledges: [Pledge], asOf: CalendarDate, assessor: Assessor, on connection: Connection, reader: Connection? = nil,
        prepare: @escaping @Sendable (Pledge, Timeline, Assessment) -> Prepared,
        _ body: ([(Pledge, Timeline, Assessment, Prepared)]) throws -> Void
    ) throws {
        var previous: BackgroundTask<[(Pledge, Timeline, Assessment, Prepared)]>?
        // With a reader, the next batch's timelines are read on it, from a thread of its own, while `body`
        // stores the last batch on `connection`: two server sessions at work instead of one in turns.
        var reading: BackgroundTask<TimelineBatch>?
        // Whatever happens, no assessment or read is left running when this returns or throws.
        defer {
            _ = try? previous?.value()
            _ = try? reading?.value()
        }
        func read(_ batch: [Pledge]) -> BackgroundTask<TimelineBatch>? {
            guard let reader, !batch.isEmpty else { return nil }
            return BackgroundTask { try TimelineRepository(reader).fetch(for: batch, asOf: asOf) }
        }
        reading = read(Self.batch(pledges, at: 0))
        for start in stride(from: 0, to: pledges.count, by: batchSize) {
            let batch = Self.batch(pledges, at: start)
            // Read (here, or ahead on the reader); parsed, assessed and prepared on the other cores while
            // `body` stores the last batch.
            let timelines = try reading?.value() ?? TimelineRepository(connection).fetch(for: batch, asOf: asOf)
            reading = read(Self.batch(pledges, at: start + batchSize))
            let next = BackgroundTask {
                try inParallel(batch.count) { index in
                    let (pledge, timeline) = (batch[index], try timelines.timeline(for: batch[index]))
                    let assessment = assessor.assess(pledge: pledge, timeline: timeline, asOf: asOf)
                    return (pledge, timeline, assessment, prepare(pledge, timeline, assessment))
                }
            }
            if let earlier = previous {
                do { try body(try earlier.value()) } catch {
                    _ = try? next.value()
                    throw error
                }
            }
            previous = next
        }
        if let last = previous { try body(try last.value()) }
    }

    /// The batch starting at `start` (empty past the end).
    static func batch(_ pledges: [Pledge], at start: Int) -> [Pledge] {
        start < pledges.count ? Array(pledges[start..<min(start + batchSize, pledges.count)]) : []
    }

    /// Assessments are pure and independent: spread them over the cores, keep the input order.
    static func assessConcurrently(
        _ inputs: [(Pledge, Timeline)], assessor: Assessor, asOf: CalendarDate
    ) throws -> [(Pledge, Timeline, Assessment)] {
        try inParallel(inputs.count) { index in
            (inputs[index].0, inputs[index].1, assessor.assess(pledge: inputs[index].0, timeline: inputs[index].1, asOf: asOf))
        }
    }

    /// `work(0..<count)` spread over the cores, the results in index order; the first error is rethrown.
    static func inParallel<T: Sendable>(_ count: Int, _ work: @Sendable (Int) throws -> T) throws -> [T] {
        let results = Mutex([Result<T, any Error>?](repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let outcome = Result { try work(index) }
            results.withLock { $0[index] = outcome }
        }
        return try results.withLock { $0 }.map { try $0!.get() }
    }

    private func evaluate(on tx: Connection, asOf: CalendarDate, explicit: Bool, runID: UUID) throws -> (assessments: [Assessment], changes: [EvaluationReport.Change], count: Int) {
        // Alerts move forward in time: a run as of an earlier day than the last would resolve and re-fire
        // alerts (and notify receivers) for a past the ledger has moved on from, and its assessments would
        // become the latest. The past is looked at with `check --as-of` or `export --as-of`, which store nothing.
        // Nor past today (UTC, as ledger dates): a run as of a later day would refuse every run after it
        // until that day came.
        let today = CalendarDate.today(now: now)
        guard asOf <= today else {
            throw InputError.invalid(field: "as-of", value: asOf.description, expected: "a day no later than today (\(today))")
        }
        if explicit, let latest = try AssessmentRepository(tx).latestRun(), asOf < latest.asOf {
            throw InputError.invalid(
                field: "as-of", value: asOf.description,
                expected: "a day on or after \(latest.asOf), the as-of day of the latest evaluation (evaluate moves alerts forward; look at earlier days with check --as-of or export --as-of)")
        }
        // The plans this session cached for the foreign-key checks were chosen for the tables' sizes when
        // they were first needed; on a long-lived connection (`serve`) the alert table may have grown a
        // hundredfold since, and a plan chosen for a page scans it all for every transition. Replanned at
        // the first use from here on (the alert history is checked at commit: migration 0006).
        try tx.execute("DISCARD PLANS")
        try AssessmentRepository(tx).beginRun(runID, asOf: asOf, policy: policy)
        let previous = try AssessmentRepository(tx).latestStatuses()
        let alerts = AlertRepository(tx)
        var stored: [String: AlertRepository.StoredAlert] = [:]
        for alert in try alerts.all() { stored["\(alert.pledgeID)/\(alert.rule.rawValue)"] = alert }
        let pledges = try PledgeRepository(tx).list(asOf: asOf)
        let silences = try SilenceRepository(tx).activeSilences(on: asOf)
        let assessor = Assessor(policy: policy)
        let stepper = AlertStepper(machine: machine, now: now, stored: stored, silences: silences)
        var kept: [Assessment] = []
        var changes: [EvaluationReport.Change] = []
        let rowIDs = try AssessmentRepository(tx).pledgeRowIDs()
        // Each pledge's row and alert steps are worked out on the assessing cores, beside its assessment;
        // `revisions`: the pledges' ledger revisions, read before their timelines on the session that reads
        // those.
        func prepare(revisions: [String: Int64]) -> @Sendable (Pledge, Timeline, Assessment) -> (AssessmentRepository.Record, AlertWrites) {
            { pledge, timeline, assessment in
                let record = AssessmentRepository.Record(
                    assessment, scale: pledge.unit.scale, runID: runID,
                    inputs: AssessmentInputs.fingerprint(pledge: pledge, timeline: timeline, asOf: asOf),
                    revisionInputs: AssessmentInputs.revisionFingerprint(
                        pledge: pledge, ledgerRevision: revisions[pledge.publicID] ?? 0, asOf: asOf),
                    burnUp: BurnUp.points(timeline.points))
                var writes = AlertWrites()
                stepper.step(pledge: pledge, assessment: assessment, into: &writes)
                return (record, writes)
            }
        }
        // This thread only writes a batch: its assessments, its alerts' states, then their history (which
        // refers to them).
        func store(_ evaluated: [(Pledge, Timeline, Assessment, (AssessmentRepository.Record, AlertWrites))]) throws {
            let assessments = evaluated.map { $0.2 }
            try AssessmentRepository(tx).append(evaluated.map { $0.3.0 }, pledgeRowIDs: rowIDs)
            if keepAssessments { kept += assessments }
            for a in assessments where previous[a.pledgeID] != a.status {
                changes.append(.status(pledgeID: a.pledgeID, from: previous[a.pledgeID], to: a.status, reason: a.statusReason))
            }
            var writes = AlertWrites()
            for (_, _, _, (_, pledgeWrites)) in evaluated { writes.append(pledgeWrites) }
            // The log notifier, in pledge order: every notification, silenced or not, as a structured log line.
            for notice in writes.notices {
                logger.notice(
                    "alert \(notice.notification.rawValue)",
                    metadata: [
                        "fingerprint": "\(notice.alert.fingerprint)", "pledge": "\(notice.alert.pledgeID)", "rule": "\(notice.alert.rule.rawValue)",
                        "silenced": "\(notice.silenced)", "summary": "\(notice.alert.annotations["summary"] ?? "")",
                    ])
            }
            try alerts.insertAll(writes.inserts, pledgeRowIDs: rowIDs)
            try alerts.updateAll(writes.updates)
            try alerts.recordTransitions(writes.transitions, runID: runID, asOf: asOf)
            for (alert, notification) in writes.notifications { try announce(alert, notification: notification, on: alerts) }
            changes += writes.changes
        }
        // A batch at a time: its timelines, assessments and alert work are dropped before the next one, so
        // memory does not grow with the ledger. With a reader session, the timelines are read on it — all
        // from its one snapshot (REPEATABLE READ, taken at the first read) — while this session writes the
        // batch before; without, on this session, between the writes.
        var reader: Connection?
        if pledges.count > Self.batchSize, let openReader {
            do {
                reader = try openReader()
            } catch {
                logger.info("timelines read on the writing session: no second session (\(error))")
            }
        }
        if let reader {
            try reader.withTransaction(isolation: .repeatableRead) { reader in
                let revisions = try TimelineRepository(reader).ledgerRevisions()
                try Self.assessInBatches(
                    pledges, asOf: asOf, assessor: assessor, on: tx, reader: reader, prepare: prepare(revisions: revisions), store)
            }
        } else {
            let revisions = try TimelineRepository(tx).ledgerRevisions()
            try Self.assessInBatches(pledges, asOf: asOf, assessor: assessor, on: tx, prepare: prepare(revisions: revisions), store)
        }
        try tx.notify("pledgewatch_evaluated", payload: runID.uuidString.lowercased())
        return (kept, changes, pledges.count)
    }

    private func announce(_ alert: AlertRepository.StoredAlert, notification: AlertStateMachine.Notification, on alerts: AlertRepository) throws {
        let startsAt = alert.startsAt.map(WebhookPayload.timestamp) ?? WebhookPayload.zeroTime
        let payload = WebhookPayload(
            alert: WebhookPayload.Alert(
                status: notification.rawValue, labels: alert.labels, annotations: alert.annotations, startsAt: startsAt,
                endsAt: notification == .resolved ? (alert.endsAt.map(WebhookPayload.timestamp) ?? WebhookPayload.zeroTime) : WebhookPayload.zeroTime,
                generatorURL: "pledgewatch://pledges/\(alert.pledgeID)", fingerprint: alert.fingerprint))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(payload), as: UTF8.self)
        try alerts.announce(json)
        if let webhookURL {
            try alerts.enqueue(idempotencyKey: "\(alert.fingerprint)-\(notification.rawValue)-\(startsAt)", url: webhookURL, payload: json)
        }
    }
}

/// Another evaluation holds the lock.
public struct EvaluationBusy: Error, CustomStringConvertible {
    public var description: String { "another evaluation is running (advisory lock held); nothing done" }
}

/// What one evaluation found.
public struct EvaluationReport: Sendable {
    public enum Change: Sendable, Equatable {
        case status(pledgeID: String, from: PledgeHealth?, to: PledgeHealth, reason: String)
        case alert(pledgeID: String, rule: AlertRule, from: AlertStateMachine.State, to: AlertStateMachine.State, notification: AlertStateMachine.Notification?, silenced: Bool, summary: String)
    }

    public let runID: UUID
    public let asOf: CalendarDate
    /// How many pledges were assessed.
    public let pledges: Int
    /// Every assessment, when `Evaluator.keepAssessments` (else empty).
    public let assessments: [Assessment]
    public let changes: [Change]
    public let duration: Duration
}
