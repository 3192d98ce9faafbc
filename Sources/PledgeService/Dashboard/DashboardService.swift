import Foundation
import PledgeCore
import PledgeStore
import Postgres

/// Builds the dashboard document from the database.
///
/// Without an as-of date it shows the latest evaluation run's stored assessments ("evaluate, then
/// export"), except for a pledge whose ledger, terms or commitment changed since that run: it is assessed
/// afresh with the run's policy, as the run would have assessed it, so no entry pairs a forecast with a
/// timeline it was not made from (`AssessmentInputs`). A run stored before migration 0007 recorded neither
/// fingerprints nor its policy: its assessments are shown as stored. With an as-of date it assesses every
/// pledge as of that day in memory with `policy` (a backtest view, nothing stored). Either way the same
/// state gives the same bytes.
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
            asOf: requested, filter: filter, begin: { head = $0 }, alerts: { alerts += $0 }, beginPledges: {},
            entries: { pledges += $0 })
        guard let head else { throw DashboardStreamEncoder.StreamError.noHead }
        return DashboardDocument(
            generatedAt: head.generatedAt, asOf: head.asOf, reportingCurrency: reportingCurrency, summary: summary,
            pledges: pledges, alerts: alerts)
    }

    /// Streams the rendered document to `sink` in pieces (the head, the alerts and the entries a batch at a
    /// time, the tail; the bytes are valid only during each call): memory stays that of one batch however
    /// large the ledger. Reads one snapshot.
    public func write(
        asOf requested: CalendarDate? = nil, filter: Filter = .init(), to sink: DashboardStreamEncoder.Sink
    ) throws {
        func send(_ data: Data) throws { try data.withUnsafeBytes { try sink($0) } }
        var encoder: DashboardStreamEncoder?
        let summary = try assemble(
            asOf: requested, filter: filter,
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
    /// then returns the summary. Alerts come through a cursor and pledges a batch at a time (timelines and
    /// assessments read, turned into entries, dropped). All reads share one snapshot.
    private func assemble(
        asOf requested: CalendarDate?, filter: Filter, begin: (Head) throws -> Void,
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
            var (firing, pending) = (0, 0)
            // As with the entries below: the next batch of alerts is read while the last is written.
            try Self.oneBehind(writing: { inputs in try alerts(DashboardBuilder.alertEntries(inputs)) }) { write in
                try AlertRepository(tx).forEachOpen(shown: { shown.contains($0) }) { batch in
                    let inputs = batch.map { alert in
                        let rules = silenced[alert.pledgeID] ?? []
                        return DashboardBuilder.AlertInput(
                            pledgeID: alert.pledgeID, rule: alert.rule.rawValue, state: alert.machine.state.rawValue,
                            labels: alert.labels, annotations: alert.annotations, startsAt: alert.startsAt,
                            fingerprint: alert.fingerprint, silenced: rules.contains(nil) || rules.contains(alert.rule.rawValue))
                    }
                    firing += inputs.filter { $0.state == "firing" }.count
                    pending += inputs.filter { $0.state == "pending" }.count
                    try write(inputs)
                }
            }
            try beginPledges()

            let builder = DashboardBuilder(
                reportingCurrency: reportingCurrency, rates: try FXRates(tx).conversionRates(to: reportingCurrency, on: asOf))
            let assessor = Assessor(policy: run?.policy ?? policy)
            // Whether a stored assessment can be checked against the pledge as it is now (not for runs stored
            // before migration 0007, which recorded no fingerprints and no policy to assess afresh with).
            let checksInputs = run?.policy != nil
            // Each batch is read here while the previous one is turned into entries and written.
            var totals = DashboardBuilder.Totals()
            let batches = stride(from: 0, to: pledges.count, by: Evaluator.batchSize).map {
                Array(pledges[$0..<min($0 + Evaluator.batchSize, pledges.count)])
            }
            try Self.oneBehind(writing: { (read: ReadBatch) in
                try entries(
                    read.pledges.map { pledge in
                        builder.entry(
                            pledge: pledge, assessment: read.summaries[pledge.publicID]!,
                            assessmentSource: read.fresh.contains(pledge.publicID) ? .live : .evaluation,
                            timeline: read.timelines[pledge.publicID], openAlerts: read.fingerprints[pledge.publicID] ?? [],
                            asOf: asOf, totals: &totals)
                    })
            }) { write in
                // A batch's timelines (the longest read) are asked for before the last batch is parsed, so
                // the server reads them meanwhile.
                var nextTimelines = try batches.first.map { try TimelineRepository(tx).start(for: $0, asOf: asOf) }
                for (index, batch) in batches.enumerated() {
                    let ids = batch.map(\.publicID)
                    let fetched = try nextTimelines?.batch()
                    let fingerprints = try AlertRepository(tx).openFingerprints(pledgeIDs: ids)
                    let stored = try run.map { try assessmentRepository.summaries(runID: $0.runID, pledgeIDs: ids) } ?? [:]
                    nextTimelines = index + 1 < batches.count ? try TimelineRepository(tx).start(for: batches[index + 1], asOf: asOf) : nil
                    let timelines = try fetched?.timelines(for: batch) ?? [:]
                    var summaries: [String: AssessmentSummary] = [:]
                    var fresh: [(Pledge, Timeline)] = []
                    for pledge in batch {
                        let timeline = timelines[pledge.publicID] ?? Timeline(countsFrom: pledge.countsFrom, asOf: asOf, changes: [])
                        // The stored assessment only while the pledge is as the run saw it.
                        if let stored = stored[pledge.publicID],
                            !checksInputs
                                || stored.inputs == AssessmentInputs.fingerprint(pledge: pledge, timeline: timeline, asOf: asOf)
                        {
                            summaries[pledge.publicID] = stored.summary
                        } else {
                            fresh.append((pledge, timeline))
                        }
                    }
                    for (pledge, _, assessment) in try Evaluator.assessConcurrently(fresh, assessor: assessor, asOf: asOf) {
                        summaries[pledge.publicID] = AssessmentSummary(assessment, scale: pledge.unit.scale)
                    }
                    try write(
                        ReadBatch(
                            pledges: batch, summaries: summaries, fresh: Set(fresh.map(\.0.publicID)), timelines: timelines,
                            fingerprints: fingerprints))
                }
            }
            return builder.summary(totals, firingAlerts: firing, pendingAlerts: pending)
        }
    }

    /// What one batch of pledges needs to become entries.
    private struct ReadBatch: Sendable {
        let pledges: [Pledge]
        let summaries: [String: AssessmentSummary]
        /// The pledges assessed for this document rather than shown as the run stored them.
        let fresh: Set<String>
        let timelines: [String: Timeline]
        let fingerprints: [String: [String]]
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
}
