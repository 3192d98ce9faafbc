import Foundation

/// The dashboard's parts from pledges, their assessments and timelines, alerts and FX rates: pure.
/// `DashboardService` calls them a batch at a time and streams or collects what they return.
public struct DashboardBuilder: Sendable {
    /// An alert as the builder needs it.
    public struct AlertInput: Sendable {
        public let pledgeID: String
        public let rule: String
        public let state: String
        public let labels: [String: String]
        public let annotations: [String: String]
        public let startsAt: Date?
        public let fingerprint: String
        public let silenced: Bool

        public init(
            pledgeID: String, rule: String, state: String, labels: [String: String], annotations: [String: String],
            startsAt: Date?, fingerprint: String, silenced: Bool
        ) {
            self.pledgeID = pledgeID
            self.rule = rule
            self.state = state
            self.labels = labels
            self.annotations = annotations
            self.startsAt = startsAt
            self.fingerprint = fingerprint
            self.silenced = silenced
        }
    }

    public let reportingCurrency: String
    /// Units of the reporting currency per one unit of each other currency, on the as-of date.
    public let rates: [String: Decimal]

    public init(reportingCurrency: String, rates: [String: Decimal]) {
        self.reportingCurrency = reportingCurrency
        self.rates = rates
    }

    /// Alerts in the document's shape (as in the webhook v4 payload), plus whether a silence covers them.
    public static func alertEntries(_ open: [AlertInput]) -> [DashboardDocument.AlertEntry] {
        open.map { alert in
            DashboardDocument.AlertEntry(
                status: alert.state, labels: alert.labels, annotations: alert.annotations,
                startsAt: alert.startsAt.map(WebhookPayload.timestamp) ?? WebhookPayload.zeroTime, endsAt: WebhookPayload.zeroTime,
                generatorURL: "pledgewatch://pledges/\(alert.pledgeID)", fingerprint: alert.fingerprint, silenced: alert.silenced)
        }
    }

    /// What the summary adds up, one pledge at a time.
    public struct Totals: Sendable {
        var pledges = 0
        var byStatus = Dictionary(uniqueKeysWithValues: PledgeHealth.allCases.map { ($0.rawValue, 0) })
        var donors: [String: (count: Int, pledged: Decimal, delivered: Decimal)] = [:]
        var categories: [String: (count: Int, pledged: Decimal, delivered: Decimal)] = [:]
        var unconverted: [String] = []

        public init() {}
    }

    /// One pledge's entry; its figures are added to `totals`. `timeline`: the pledge's timeline's points, or
    /// the burn-up an evaluation kept of them (`BurnUp` keeps those as they are).
    public func entry(
        pledge: Pledge, assessment: DashboardDocument.EntryAssessment, assessmentSource: DashboardDocument.AssessmentSource,
        timeline: [Timeline.Point],
        openAlerts: [String], asOf: CalendarDate, totals: inout Totals
    ) -> DashboardDocument.PledgeEntry {
        totals.pledges += 1
        totals.byStatus[assessment.status, default: 0] += 1
        let terms = pledge.terms(on: asOf)
        if pledge.unit.isCurrency, pledge.status != .withdrawn {
            if let rate = pledge.unit.code == reportingCurrency ? 1 : rates[pledge.unit.code] {
                let delivered = (Decimal(plainText: assessment.delivered) ?? 0) * rate
                let pledged = terms.target * rate
                totals.donors[pledge.donor, default: (0, 0, 0)].count += 1
                totals.donors[pledge.donor]!.pledged += pledged
                totals.donors[pledge.donor]!.delivered += delivered
                totals.categories[pledge.category.rawValue, default: (0, 0, 0)].count += 1
                totals.categories[pledge.category.rawValue]!.pledged += pledged
                totals.categories[pledge.category.rawValue]!.delivered += delivered
            } else {
                totals.unconverted.append(pledge.publicID)
            }
        }
        return DashboardDocument.PledgeEntry(
            id: pledge.publicID, donor: pledge.donor, recipient: pledge.recipient, title: pledge.title,
            category: pledge.category.rawValue, unit: pledge.unit.code, unitKind: pledge.unit.isCurrency ? "currency" : "count",
            commitment: pledge.status.rawValue, status: assessment.status, announcedOn: pledge.announcedOn.description,
            countsFrom: pledge.countsFrom.description, source: pledge.source,
            originalTerms: Self.terms(pledge.originalTerms), currentTerms: Self.terms(terms),
            assessment: assessment, assessmentSource: assessmentSource.rawValue,
            timeline: BurnUp.points(timeline).map { .init(date: $0.date, cumulative: $0.cumulative, assumed: $0.assumed) },
            openAlerts: openAlerts)
    }

    /// The summary once every pledge has been added.
    public func summary(_ totals: Totals, firingAlerts: Int, pendingAlerts: Int) -> DashboardDocument.Summary {
        func list(_ values: [String: (count: Int, pledged: Decimal, delivered: Decimal)]) -> [DashboardDocument.Total] {
            values.keys.sorted().map { key in
                let value = values[key]!
                return .init(key: key, pledges: value.count, pledged: money(value.pledged), delivered: money(value.delivered))
            }
        }
        return .init(
            pledges: totals.pledges, byStatus: totals.byStatus, byDonor: list(totals.donors), byCategory: list(totals.categories),
            unconverted: totals.unconverted, firingAlerts: firingAlerts, pendingAlerts: pendingAlerts)
    }

    func money(_ value: Decimal) -> DashboardDocument.Money {
        var exact = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 2, .plain)
        return .init(amount: rounded.description, currency: reportingCurrency)
    }

    static func terms(_ terms: PledgeTerms) -> DashboardDocument.Terms {
        .init(revision: terms.revision, target: terms.target.description, deadline: terms.deadline.description, effectiveOn: terms.effectiveOn.description)
    }
}
