import Foundation

/// Assembles the dashboard from pledges, their assessments and timelines, alerts and FX rates: pure.
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

    public func build(
        asOf: CalendarDate, generatedAt: Date, pledges: [Pledge], assessments: [String: AssessmentSummary],
        timelines: [String: Timeline], alerts: [AlertInput]
    ) -> DashboardDocument {
        let pledges = pledges.sorted { $0.publicID < $1.publicID }
        let open = alerts.filter { $0.state == "pending" || $0.state == "firing" }.sorted {
            ($0.pledgeID, $0.rule) < ($1.pledgeID, $1.rule)
        }
        var entries: [DashboardDocument.PledgeEntry] = []
        var byStatus = Dictionary(uniqueKeysWithValues: PledgeHealth.allCases.map { ($0.rawValue, 0) })
        var donorTotals: [String: (count: Int, pledged: Decimal, delivered: Decimal)] = [:]
        var categoryTotals: [String: (count: Int, pledged: Decimal, delivered: Decimal)] = [:]
        var unconverted: [String] = []
        for pledge in pledges {
            guard let assessment = assessments[pledge.publicID] else { continue }
            byStatus[assessment.status, default: 0] += 1
            let terms = pledge.terms(on: asOf)
            if pledge.unit.isCurrency, pledge.status != .withdrawn {
                if let rate = pledge.unit.code == reportingCurrency ? 1 : rates[pledge.unit.code] {
                    let delivered = (Decimal(string: assessment.delivered, locale: Locale(identifier: "en_US_POSIX")) ?? 0) * rate
                    let pledged = terms.target * rate
                    donorTotals[pledge.donor, default: (0, 0, 0)].count += 1
                    donorTotals[pledge.donor]!.pledged += pledged
                    donorTotals[pledge.donor]!.delivered += delivered
                    categoryTotals[pledge.category.rawValue, default: (0, 0, 0)].count += 1
                    categoryTotals[pledge.category.rawValue]!.pledged += pledged
                    categoryTotals[pledge.category.rawValue]!.delivered += delivered
                } else {
                    unconverted.append(pledge.publicID)
                }
            }
            let timeline = timelines[pledge.publicID]?.points ?? []
            entries.append(
                DashboardDocument.PledgeEntry(
                    id: pledge.publicID, donor: pledge.donor, recipient: pledge.recipient, title: pledge.title,
                    category: pledge.category.rawValue, unit: pledge.unit.code, unitKind: pledge.unit.isCurrency ? "currency" : "count",
                    commitment: pledge.status.rawValue, status: assessment.status, announcedOn: pledge.announcedOn.description,
                    countsFrom: pledge.countsFrom.description, source: pledge.source,
                    originalTerms: Self.terms(pledge.originalTerms), currentTerms: Self.terms(terms),
                    assessment: assessment,
                    timeline: timeline.map { .init(date: $0.date.description, cumulative: $0.cumulative.description, assumed: $0.assumed) },
                    openAlerts: open.filter { $0.pledgeID == pledge.publicID }.map(\.fingerprint)))
        }
        let shown = Set(entries.map(\.id))
        let alertEntries = open.filter { shown.contains($0.pledgeID) }.map { alert in
            DashboardDocument.AlertEntry(
                status: alert.state, labels: alert.labels, annotations: alert.annotations,
                startsAt: alert.startsAt.map(WebhookPayload.timestamp) ?? WebhookPayload.zeroTime, endsAt: WebhookPayload.zeroTime,
                generatorURL: "pledgewatch://pledges/\(alert.pledgeID)", fingerprint: alert.fingerprint, silenced: alert.silenced)
        }
        func totals(_ values: [String: (count: Int, pledged: Decimal, delivered: Decimal)]) -> [DashboardDocument.Total] {
            values.keys.sorted().map { key in
                let value = values[key]!
                return .init(
                    key: key, pledges: value.count, pledged: money(value.pledged), delivered: money(value.delivered))
            }
        }
        return DashboardDocument(
            generatedAt: WebhookPayload.timestamp(generatedAt), asOf: asOf.description, reportingCurrency: reportingCurrency,
            summary: .init(
                pledges: entries.count, byStatus: byStatus, byDonor: totals(donorTotals), byCategory: totals(categoryTotals),
                unconverted: unconverted, firingAlerts: alertEntries.filter { $0.status == "firing" }.count,
                pendingAlerts: alertEntries.filter { $0.status == "pending" }.count),
            pledges: entries, alerts: alertEntries)
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
