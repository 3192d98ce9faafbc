import Foundation
import PledgeCore
import PledgeStore
import Postgres

/// Builds the dashboard document from the database.
///
/// Without an as-of date it shows the latest evaluation run's stored assessments ("evaluate, then
/// export"); with one, it assesses every pledge as of that day in memory (a backtest view, nothing stored).
/// Either way the same state gives the same bytes.
public struct DashboardService {
    public let connection: Connection
    public var reportingCurrency = "EUR"
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

    public func document(asOf requested: CalendarDate? = nil, filter: Filter = .init()) throws -> DashboardDocument {
        let pledgeRepository = PledgeRepository(connection)
        let assessmentRepository = AssessmentRepository(connection)
        let run = requested == nil ? try assessmentRepository.latestRun() : nil
        let asOf = requested ?? run?.asOf ?? .today()
        var pledges = try pledgeRepository.list(asOf: asOf)
        for id in filter.pledgeIDs where !pledges.contains(where: { $0.publicID == id }) {
            throw InputError.notFound(what: "pledge", id: id)
        }
        if !filter.pledgeIDs.isEmpty { pledges = pledges.filter { filter.pledgeIDs.contains($0.publicID) } }
        if !filter.donors.isEmpty { pledges = pledges.filter { filter.donors.contains($0.donor) } }
        let timelines = try TimelineRepository(connection).timelines(for: pledges, asOf: asOf)
        var summaries: [String: AssessmentSummary] = [:]
        if let run {
            summaries = try assessmentRepository.summaries(runID: run.runID)
        }
        let assessor = Assessor(policy: policy)
        for pledge in pledges where summaries[pledge.publicID] == nil {
            let timeline = timelines[pledge.publicID] ?? Timeline(countsFrom: pledge.countsFrom, asOf: asOf, dailyChanges: [])
            summaries[pledge.publicID] = AssessmentSummary(assessor.assess(pledge: pledge, timeline: timeline, asOf: asOf), scale: pledge.unit.scale)
        }
        let silenced = try SilenceRepository(connection).activeCoverage(on: asOf)
        let alerts = try AlertRepository(connection).all().filter { $0.machine.state != .inactive }.map { alert in
            let rules = silenced[alert.pledgeID] ?? []
            return DashboardBuilder.AlertInput(
                pledgeID: alert.pledgeID, rule: alert.rule.rawValue, state: alert.machine.state.rawValue, labels: alert.labels,
                annotations: alert.annotations, startsAt: alert.startsAt, fingerprint: alert.fingerprint,
                silenced: rules.contains(nil) || rules.contains(alert.rule.rawValue))
        }
        let generatedAt = try run?.evaluatedAt ?? ChangeClock(connection).latestChange() ?? Date(timeIntervalSince1970: Double(asOf.daysSinceEpoch) * 86_400)
        let builder = DashboardBuilder(
            reportingCurrency: reportingCurrency, rates: try FXRates(connection).conversionRates(to: reportingCurrency, on: asOf))
        return builder.build(
            asOf: asOf, generatedAt: generatedAt, pledges: pledges, assessments: summaries, timelines: timelines, alerts: alerts)
    }

    /// The document's bytes: sorted keys, pretty-printed, newline-terminated.
    public static func render(_ document: DashboardDocument) throws -> Data {
        var data = try DashboardDocument.encoder.encode(document)
        data.append(0x0A)
        return data
    }
}
