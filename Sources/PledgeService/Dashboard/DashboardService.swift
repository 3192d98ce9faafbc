import Foundation
import PledgeCore
import PledgeStore
import Postgres

/// Builds the dashboard document from the database.
///
/// Without an as-of date it shows the latest evaluation run's stored assessments ("evaluate, then
/// export"), with the burn-ups the run kept, except for a pledge whose ledger, terms or commitment changed
/// since that run: it is assessed afresh with the run's policy, as the run would have assessed it, so no
/// entry pairs a forecast with a timeline it was not made from (`AssessmentInputs`, compared against each
/// pledge's ledger revision). Only those pledges' timelines are read. A run stored before migration 0007
/// recorded neither fingerprints nor its policy: its assessments are shown as stored, beside timelines
/// read now. With an as-of date it assesses every pledge as of that day in memory with `policy` (a
/// backtest view, nothing stored). Either way the same state gives the same bytes.
public struct DashboardService {
    public let connection: Connection
    public var reportingCurrency = "EUR"
    /// What backtests (`asOf`) and a database without any evaluation assess with. Entries assessed afresh
    /// beside a run's stored assessments use that run's policy instead.
    public var policy = AssessmentPolicy()

    public init(connection: Connection) { self.connection = connection }

    /// Restricts the document to some pledges or donors (empty: everything).
    public struct Filter: Sendable, Equatable {
        public var pledgeIDs: [String] = []
        public var donors: [String] = []
        public init(pledgeIDs: [String] = [], donors: [String] = []) {
            self.pledgeIDs = pledgeIDs
            self.donors = donors
        }
    }

    /// The whole document in memory (the daemon's cache, `check`, tests). Same bytes as `write`.
    public func document(asOf requested: CalendarDate? = nil, filter: Filter = .init()) throws -> DashboardDocument {
        var head: Head?
        var alerts: [DashboardDocument.AlertEntry] = []
        var pledges: [DashboardDocument.PledgeEntry] = []
        let summary = try assemble(
            asOf: requested, filter: filter, copiesStored: false, begin: { head = $0 }, alerts: { alerts += $0 }, beginPledges: {},
            entries: { pledges += $0 })
        guard let head else { throw DashboardStreamEncoder.StreamError.noHead }
        return DashboardDocument(
            generatedAt: head.generatedAt, asOf: head.asOf, reportingCurrency: reportingCurrency, summary: summary,
            pledges: pledges, alerts: alerts)
    }

    /// Streams the rendered document to `sink` in pieces (the head, the alerts and the entries a batch at a
    /// time, the tail; the bytes are valid only during each call): memory stays that of one batch however
    /// large the ledger. Reads one snapshot. The run's stored assessments are copied into the document as
    /// stored (laid out anew, not parsed): the bytes `document` would give.
    public func write(
        asOf requested: CalendarDate? = nil, filter: Filter = .init(), to sink: DashboardStreamEncoder.Sink
    ) throws {
        func send(_ data: Data) throws { try data.withUnsafeBytes { try sink($0) } }
        var encoder: DashboardStreamEncoder?
        let summary = try assemble(
            asOf: requested, filter: filter, copiesStored: true,
            begin: { head in
                var started = DashboardStreamEncoder(generatedAt: head.generatedAt, asOf: head.asOf, reportingCurrency: reportingCurrency)
                try send(try started.begin())
                encoder = started
            },
            alerts: { batch in try encoder!.alerts(batch, to: sink) },
            beginPledges: { try send(try encoder!.beginPledges()) },
            entries: { batch in try encoder!.entries(batch, to: sink) })
        try send(try encoder!.end(summary: summary))
    }

    /// The fields that precede the lists.
    struct Head {
        let generatedAt: String
        let asOf: String
    }

    /// Builds the document's parts in order — `begin` with the head, `alerts` with every batch of open
    /// alerts (by pledge, then rule), `beginPledges`, `entries` with every batch of pledge entries (by id) —
    /// then returns the summary. Alerts come through a cursor and pledges a batch at a time (assessments and
    /// the timelines needed read, turned into entries, dropped). All reads share one snapshot. With
    /// `copiesStored`, entries hold the stored assessments' JSON rather than their parsed summaries.
    private func assemble(
        asOf requested: CalendarDate?, filter: Filter, copiesStored: Bool, begin: (Head) throws -> Void,
        alerts: ([DashboardDocument.AlertEntry]) throws -> Void, beginPledges: () throws -> Void,
        entries: ([DashboardDocument.PledgeEntry]) throws -> Void
    ) throws -> DashboardDocument.Summary {
        try connection.withTransaction(isolation: .repeatableRead) { tx in
            // Every statement here is a short read of one batch. Right after an evaluation has written a
            // row per pledge, the planner's estimates for those tables are stale and can cross the JIT
            // threshold: at the large scale that cost 80–170 ms of compilation per batch, more than the
            // reads themselves.
            try tx.execute("SET LOCAL jit = off")
            let assessmentRepository = AssessmentRepository(tx)
            let run = requested == nil ? try assessmentRepository.latestRun() : nil
            let asOf = requested ?? run?.asOf ?? .today()
            var pledges = try PledgeRepository(tx).list(asOf: asOf)
            for id in filter.pledgeIDs where !pledges.contains(where: { $0.publicID == id }) {
                throw InputError.notFound(what: "pledge", id: id)
            }
            if !filter.pledgeIDs.isEmpty { pledges = pledges.filter { filter.pledgeIDs.contains($0.publicID) } }
            if !filter.donors.isEmpty { pledges = pledges.filter { filter.donors.contains($0.donor) } }
            pledges.sort { $0.publicID < $1.publicID }
            let generatedAt = try run?.evaluatedAt ?? ChangeClock(tx).latestChange()
                ?? Date(timeIntervalSince1970: Double(asOf.daysSinceEpoch) * 86_400)
            try begin(Head(generatedAt: WebhookPayload.timestamp(generatedAt), asOf: asOf.description))

            let shown = Set(pledges.map(\.publicID))
            let silenced = try SilenceRepository(tx).activeCoverage(on: asOf)
            let builder = DashboardBuilder(
                reportingCurrency: reportingCurrency, rates: try FXRates(tx).conversionRates(to: reportingCurrency, on: asOf))
            let assessor = Assessor(policy: run?.policy ?? policy)
            // Whether a stored assessment can be checked against the pledge as it is now (not for runs stored
            // before migration 0007, which recorded no fingerprints and no policy to assess afresh with).
            let checksInputs = run?.policy != nil
            // The pledges whose stored assessment and burn-up still hold: the others' timelines are read.
            var current = Set<String>()
            if checksInputs, let run {
                let states = try DashboardBatchRepository(tx).ledgerState(runID: run.runID)
                for pledge in pledges {
                    guard let state = states[pledge.publicID], state.storedBurnUp,
                        state.storedInputs == AssessmentInputs.revisionFingerprint(pledge: pledge, ledgerRevision: state.revision, asOf: asOf)
                    else { continue }
                    current.insert(pledge.publicID)
                }
            }
            let timelines = Set(pledges.map(\.publicID)).subtracting(current)
            var (firing, pending) = (0, 0)
            var totals = DashboardBuilder.Totals()
            var pledgesBegun = false
            let size = Self.batchSize(pledges: pledges.count)
            let batches = stride(from: 0, to: pledges.count, by: size).map { Array(pledges[$0..<min($0 + size, pledges.count)]) }
            // Three stages, each on a thread of its own, a batch apart: this thread reads each batch of open
            // alerts, then of pledges (by one statement, sent before the last batch was handed over, so the
            // server works meanwhile); the batch before it is decoded (pledges: parsed on every core and
            // checked against the run); the one before that becomes entries and is written.
            try Self.twoBehind(
                preparing: { (read: ReadBatch) -> PreparedBatch in
                    switch read {
                    case .alerts(let rows):
                        return .alerts(try rows.alerts().filter { shown.contains($0.pledgeID) }.map { alert in
                            let rules = silenced[alert.pledgeID] ?? []
                            return DashboardBuilder.AlertInput(
                                pledgeID: alert.pledgeID, rule: alert.rule.rawValue, state: alert.machine.state.rawValue,
                                labels: alert.labels, annotations: alert.annotations, startsAt: alert.startsAt,
                                fingerprint: alert.fingerprint, silenced: rules.contains(nil) || rules.contains(alert.rule.rawValue))
                        })
                    case .pledges(let pledges, let reads):
                        return .pledges(
                            try Self.prepare(
                                pledges, reads, asOf: asOf, current: current, checksInputs: checksInputs, copiesStored: copiesStored,
                                assessor: assessor))
                    }
                },
                writing: { (prepared: PreparedBatch) in
                    switch prepared {
                    case .alerts(let inputs):
                        firing += inputs.filter { $0.state == "firing" }.count
                        pending += inputs.filter { $0.state == "pending" }.count
                        if !inputs.isEmpty { try alerts(DashboardBuilder.alertEntries(inputs)) }
                    case .pledges(let prepared):
                        if !pledgesBegun {
                            try beginPledges()
                            pledgesBegun = true
                        }
                        try entries(
                            prepared.map { prepared in
                                builder.entry(
                                    pledge: prepared.pledge, assessment: prepared.assessment,
                                    assessmentSource: prepared.assessedAfresh ? .live : .evaluation, timeline: prepared.timeline,
                                    openAlerts: prepared.openAlerts, asOf: asOf, totals: &totals)
                            })
                    }
                }
            ) { write in
                try AlertRepository(tx).forEachOpen { rows in try write(.alerts(rows)) }
                let repository = DashboardBatchRepository(tx)
                func start(_ batch: [Pledge]) throws -> DashboardBatchRepository.Pending {
                    try repository.start(for: batch, timelines: timelines, asOf: asOf, runID: run?.runID)
                }
                var next = try batches.first.map(start)
                for (index, batch) in batches.enumerated() {
                    let reads = try next!.batch()
                    next = index + 1 < batches.count ? try start(batches[index + 1]) : nil
                    try write(.pledges(batch, reads))
                }
            }
            if !pledgesBegun { try beginPledges() }
            return builder.summary(totals, firingAlerts: firing, pendingAlerts: pending)
        }
    }

    /// Pledges per batch: at most `Evaluator.batchSize` (memory), and small enough that there are about
    /// eight batches, down to 50 — one batch would go through the three stages one stage at a time.
    static func batchSize(pledges: Int) -> Int {
        min(Evaluator.batchSize, max(50, (pledges + 7) / 8))
    }

    /// A batch as the server sent it: open alerts, or pledges with what was read for them.
    private enum ReadBatch: Sendable {
        case alerts(AlertRepository.OpenAlertRows)
        case pledges([Pledge], DashboardBatch)
    }

    /// A batch decoded and checked, ready to become entries.
    private enum PreparedBatch: Sendable {
        case alerts([DashboardBuilder.AlertInput])
        case pledges([PreparedPledge])
    }

    /// A pledge with what its entry shows: its timeline's points or stored burn-up, the assessment (the
    /// run's, or made afresh because the pledge changed since), its open alerts.
    private struct PreparedPledge: Sendable {
        let pledge: Pledge
        let timeline: [Timeline.Point]
        let assessment: DashboardDocument.EntryAssessment
        let assessedAfresh: Bool
        let openAlerts: [String]
    }

    /// Decodes a batch of pledges' reads on every core: each pledge's open alerts; for the pledges in
    /// `current`, the run's stored assessment (copied as stored, or parsed) and burn-up; for the others,
    /// the timeline and the run's stored assessment while it still holds for that timeline (or cannot be
    /// checked: a run from before migration 0007), else an assessment made afresh.
    private static func prepare(
        _ pledges: [Pledge], _ reads: DashboardBatch, asOf: CalendarDate, current: Set<String>, checksInputs: Bool,
        copiesStored: Bool, assessor: Assessor
    ) throws -> [PreparedPledge] {
        enum Read: Sendable {
            case shown([Timeline.Point], DashboardDocument.EntryAssessment)
            case afresh(Timeline)
        }
        let parsed = try Evaluator.inParallel(pledges.count) { index -> (Read, [String]) in
            let pledge = pledges[index]
            let openAlerts = try reads.openAlerts(for: pledge)
            if current.contains(pledge.publicID) {
                guard let stored = try reads.storedForCopying(for: pledge) else {
                    throw PostgresError(code: .decoding, message: "the stored assessment of \(pledge.publicID) went missing while exporting")
                }
                // Copied only in the layout this version stores; anything else is parsed, as the daemon's
                // document parses every summary (and what cannot be parsed fails both alike, naming the pledge).
                let assessment: DashboardDocument.EntryAssessment =
                    copiesStored && AssessmentSummary.hasStoredLayout(stored.summary.json)
                    ? .stored(stored.summary) : .summary(try reads.stored(for: pledge)!.summary)
                return (.shown(stored.burnUp, assessment), openAlerts)
            }
            let timeline = try reads.timeline(for: pledge)
            if let stored = try reads.stored(for: pledge),
                !checksInputs || stored.inputs == AssessmentInputs.fingerprint(pledge: pledge, timeline: timeline, asOf: asOf)
            {
                return (.shown(timeline.points, .summary(stored.summary)), openAlerts)
            }
            return (.afresh(timeline), openAlerts)
        }
        let fresh = zip(pledges, parsed).compactMap { pledge, parsed -> (Pledge, Timeline)? in
            if case .afresh(let timeline) = parsed.0 { (pledge, timeline) } else { nil }
        }
        var assessed: [String: AssessmentSummary] = [:]
        for (pledge, _, assessment) in try Evaluator.assessConcurrently(fresh, assessor: assessor, asOf: asOf) {
            assessed[pledge.publicID] = AssessmentSummary(assessment, scale: pledge.unit.scale)
        }
        return zip(pledges, parsed).map { pledge, parsed in
            switch parsed.0 {
            case .shown(let points, let assessment):
                PreparedPledge(pledge: pledge, timeline: points, assessment: assessment, assessedAfresh: false, openAlerts: parsed.1)
            case .afresh(let timeline):
                PreparedPledge(
                    pledge: pledge, timeline: timeline.points, assessment: .summary(assessed[pledge.publicID]!), assessedAfresh: true,
                    openAlerts: parsed.1)
            }
        }
    }

    /// Runs `read`, which hands its batches to `write` as it reads them; each is passed to `sink` in the
    /// background, one at a time and in order, the next once the last is done: the reading of one batch and
    /// the encoding and writing of the one before share the time instead of taking turns. Nothing still
    /// runs once this returns, error or not (the sink is only lent to the background thread).
    private static func oneBehind<Batch>(
        writing sink: (Batch) throws -> Void, read: (_ write: (Batch) throws -> Void) throws -> Void
    ) throws {
        try withoutActuallyEscaping(sink) { sink in
            var writing: BackgroundTask<Void>?
            defer { _ = try? writing?.value() }
            try read { batch in
                try writing?.value()
                writing = BackgroundTask { try sink(batch) }
            }
            try writing?.value()
        }
    }

    /// As `oneBehind`, with a stage before `sink`: each batch is first passed through `prepare` on a thread
    /// of its own, one batch at a time and in order, then to `sink` in the same way. Reading a batch,
    /// preparing the one before and writing the one before that share the time. Nothing still runs once
    /// this returns, error or not.
    private static func twoBehind<Batch, Prepared>(
        preparing prepare: @escaping (Batch) throws -> Prepared, writing sink: (Prepared) throws -> Void,
        read: (_ write: (Batch) throws -> Void) throws -> Void
    ) throws {
        try oneBehind(writing: sink) { write in
            // Not stored anywhere: only so the compiler accepts `write` inside the closure given to `read`,
            // both being non-escaping parameters.
            try withoutActuallyEscaping(write) { write in
                var preparing: BackgroundTask<Prepared>?
                defer { _ = try? preparing?.value() }
                try read { batch in
                    let previous = try preparing?.value()
                    preparing = BackgroundTask { try prepare(batch) }
                    if let previous { try write(previous) }
                }
                if let last = try preparing?.value() {
                    preparing = nil
                    try write(last)
                }
            }
        }
    }
}
