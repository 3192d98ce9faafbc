import Foundation

/// Where a pledge stands.
public enum PledgeHealth: String, Sendable, Codable, CaseIterable {
    case met, onTrack = "on_track", atRisk = "at_risk", likelyMiss = "likely_miss", missed, stalled
    case insufficientData = "insufficient_data", notBinding = "not_binding", withdrawn
}

/// A confidence grade for a forecast, A (solid) to D (a guess), with the reasons.
public enum ConfidenceGrade: String, Sendable, Codable, Comparable {
    case a = "A", b = "B", c = "C", d = "D"
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue > rhs.rawValue }
    /// One grade worse (D stays D).
    public var lowered: ConfidenceGrade {
        switch self {
        case .a: .b
        case .b: .c
        case .c, .d: .d
        }
    }
}

/// One pledge evaluated on one date: the figures, the forecast, and the verdict.
public struct Assessment: Sendable, Equatable {
    public let pledgeID: String
    public let asOf: CalendarDate
    public let target: Decimal
    public let deadline: CalendarDate
    public let delivered: Decimal
    public let remaining: Decimal
    public let daysLeft: Int
    /// Units per day.
    public let requiredRate: Double?
    public let observedRate: Double
    /// Observed ÷ required; nil when nothing is required (met) or nothing can be (deadline passed).
    public let paceRatio: Double?
    public let projectedTotal: Quantiles<Double>
    /// Target − P50 total, never negative.
    public let shortfall: Double
    public let probabilityOnTime: Double?
    /// `nil` members: not within the horizon.
    public let completion: Quantiles<CalendarDate?>
    /// The method behind the headline figures.
    public let method: String
    /// Every method's P50 total at the deadline, for comparison.
    public let alternatives: [String: Double]
    public let observations: Int
    public let spanDays: Int
    public let grade: ConfidenceGrade
    public let gradeReasons: [String]
    public let status: PledgeHealth
    public let statusReason: String
}

/// When a pledge counts as at risk, likely to miss, or stalled.
public struct AssessmentPolicy: Sendable, Equatable, Codable {
    /// likely_miss below this P(on time).
    public var likelyMissBelow: Double = 0.5
    /// at_risk below this P(on time).
    public var atRiskBelow: Double = 0.8
    /// stalled: behind a straight-line schedule and nothing delivered for this many days.
    public var stalledAfterDays: Int = 90
    /// Before this many days of counting with no delivery, the verdict is insufficient_data.
    public var minimumDaysForVerdict: Int = 30
    public var projection = ProjectionSettings()

    public init() {}
}
