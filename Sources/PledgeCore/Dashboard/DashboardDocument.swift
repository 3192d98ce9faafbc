import Foundation

/// The exported dashboard, `pledgewatch/v1`: described exactly by `Schema/dashboard.schema.json`.
///
/// Quantities and money are decimal strings with their unit or currency; timestamps RFC 3339 UTC; dates
/// YYYY-MM-DD; pledges ordered by id and alerts by pledge then rule, so two exports of the same state are
/// byte-identical (encode with `DashboardDocument.encoder`). Within v1, changes are additive only.
public struct DashboardDocument: Sendable, Codable, Equatable {
    public static let apiVersion = "pledgewatch/v1"

    public var apiVersion = Self.apiVersion
    public var kind = "Dashboard"
    /// When the state shown was produced: the evaluation run's time, or the latest ledger change.
    public var generatedAt: String
    public var asOf: String
    public var reportingCurrency: String
    public var summary: Summary
    public var pledges: [PledgeEntry]
    public var alerts: [AlertEntry]

    public init(
        generatedAt: String, asOf: String, reportingCurrency: String, summary: Summary, pledges: [PledgeEntry], alerts: [AlertEntry]
    ) {
        self.generatedAt = generatedAt
        self.asOf = asOf
        self.reportingCurrency = reportingCurrency
        self.summary = summary
        self.pledges = pledges
        self.alerts = alerts
    }

    public struct Money: Sendable, Codable, Equatable {
        public let amount: String
        public let currency: String
    }

    public struct Total: Sendable, Codable, Equatable {
        /// The donor's name, or the category.
        public let key: String
        public let pledges: Int
        public let pledged: Money
        public let delivered: Money
    }

    public struct Summary: Sendable, Codable, Equatable {
        public let pledges: Int
        /// Every status, with zeros, so readers need no defaults.
        public let byStatus: [String: Int]
        /// Money pledges only, converted at the as-of date's rates.
        public let byDonor: [Total]
        public let byCategory: [Total]
        /// Money pledges whose currency had no rate to the reporting currency on or before the as-of date.
        public let unconverted: [String]
        public let firingAlerts: Int
        public let pendingAlerts: Int
    }

    public struct Terms: Sendable, Codable, Equatable {
        public let revision: Int
        public let target: String
        public let deadline: String
        public let effectiveOn: String
    }

    /// A point of the burn-up: `{"assumed": …, "cumulative": "300000", "date": "2023-11-14"}`. Held as the
    /// values they are (a dashboard has a million of them at the benchmark's medium scale) and written as
    /// strings: the cumulative total as its plain decimal text, the date as `YYYY-MM-DD`.
    public struct TimelinePoint: Sendable, Codable, Equatable {
        public let date: CalendarDate
        public let cumulative: Decimal
        public let assumed: Bool

        public init(date: CalendarDate, cumulative: Decimal, assumed: Bool) {
            self.date = date
            self.cumulative = cumulative
            self.assumed = assumed
        }

        enum CodingKeys: String, CodingKey { case date, cumulative, assumed }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(assumed, forKey: .assumed)
            try container.encode(cumulative.plainText, forKey: .cumulative)
            try container.encode(date.description, forKey: .date)
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            assumed = try container.decode(Bool.self, forKey: .assumed)
            date = try container.decode(CalendarDate.self, forKey: .date)
            let text = try container.decode(String.self, forKey: .cumulative)
            guard let value = Decimal(plainText: text) else {
                throw DecodingError.dataCorruptedError(forKey: .cumulative, in: container, debugDescription: "expected a plain decimal, got \(text)")
            }
            cumulative = value
        }
    }

    /// Where an entry's assessment comes from.
    public enum AssessmentSource: String, Sendable {
        case evaluation, live
    }

    public struct PledgeEntry: Sendable, Codable, Equatable {
        public let id: String
        public let donor: String
        public let recipient: String
        public let title: String
        public let category: String
        public let unit: String
        /// `count` or `currency`.
        public let unitKind: String
        /// proposed, committed or withdrawn.
        public let commitment: String
        /// The assessed health (met, on_track, …).
        public let status: String
        public let announcedOn: String
        public let countsFrom: String
        public let source: String
        public let originalTerms: Terms
        public let currentTerms: Terms
        public let assessment: EntryAssessment
        /// `evaluation`: the assessment the evaluation run named by `generatedAt` stored. `live`: assessed
        /// for this document, because the pledge's ledger, terms or commitment changed after that run (or
        /// there is no run, or the document is a backtest `--as-of`); alerts follow at the next evaluation.
        public let assessmentSource: String
        /// Burn-up chart points: at most `BurnUp.limit` of the timeline's (the cumulative total at the end
        /// of a day with ledger activity): the anchor, the latest, and the last of each span between.
        public let timeline: [TimelinePoint]
        /// Fingerprints of this pledge's pending and firing alerts.
        public let openAlerts: [String]
    }

    /// An entry's assessment: its summary, or — in an export that shows a run's stored assessments — the
    /// compact JSON the run stored for it, which the stream encoder copies into the document laid out anew
    /// (`JSONByteWriter.json`) instead of parsing it and rendering it again: the same bytes (tested), for a
    /// fraction of the work. Encoded and decoded as the summary.
    public enum EntryAssessment: Sendable, Equatable, Codable {
        case summary(AssessmentSummary)
        case stored(StoredSummary)

        /// A summary as a run stored it, with the figures the dashboard's summary adds up (read beside it).
        public struct StoredSummary: Sendable, Equatable {
            /// `AssessmentSummary.compactJSON`, as stored.
            public let json: String
            public let status: String
            public let delivered: String

            public init(json: String, status: String, delivered: String) {
                self.json = json
                self.status = status
                self.delivered = delivered
            }
        }

        /// The assessed health (met, on_track, …).
        public var status: String {
            switch self {
            case .summary(let summary): summary.status
            case .stored(let stored): stored.status
            }
        }

        /// The quantity delivered, as plain decimal text.
        public var delivered: String {
            switch self {
            case .summary(let summary): summary.delivered
            case .stored(let stored): stored.delivered
            }
        }

        /// The summary, read from the stored JSON when that is what this holds.
        public func summary() throws -> AssessmentSummary {
            switch self {
            case .summary(let summary): return summary
            case .stored(let stored): return try AssessmentSummary(storedJSON: stored.json)
            }
        }

        public init(from decoder: any Decoder) throws { self = .summary(try AssessmentSummary(from: decoder)) }

        public func encode(to encoder: any Encoder) throws { try summary().encode(to: encoder) }
    }

    /// An alert in the Alertmanager shape (as in the webhook v4 payload), plus its state.
    public struct AlertEntry: Sendable, Codable, Equatable {
        /// `pending` or `firing`.
        public let status: String
        public let labels: [String: String]
        public let annotations: [String: String]
        public let startsAt: String
        public let endsAt: String
        public let generatorURL: String
        public let fingerprint: String
        public let silenced: Bool
    }

    /// Sorted keys, pretty-printed (readable diffs), no escaped slashes.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }
}
