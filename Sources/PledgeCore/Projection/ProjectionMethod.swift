import Foundation

/// What every projection method sees: the series, the terms in force, the evaluation date and its settings.
public struct ProjectionInput: Sendable {
    public let timeline: Timeline
    public let target: Decimal
    public let deadline: CalendarDate
    public let asOf: CalendarDate
    public let settings: ProjectionSettings

    /// The timeline's intervals, worked out once: every method reads them.
    public let intervals: [Timeline.Interval]
    /// Y* as a `Double`, for the projections' arithmetic.
    public let targetValue: Double
    /// y_n: delivered so far.
    public let delivered: Double
    /// R = Y* − y_n (never negative).
    public let remaining: Double

    public init(timeline: Timeline, target: Decimal, deadline: CalendarDate, asOf: CalendarDate, settings: ProjectionSettings = .init()) {
        self.timeline = timeline
        self.target = target
        self.deadline = deadline
        self.asOf = asOf
        self.settings = settings
        intervals = timeline.intervals
        targetValue = target.doubleValue
        delivered = timeline.delivered.doubleValue
        remaining = max(0, targetValue - delivered)
    }

    /// H = T − t_n in days, where t_n is the evaluation date (the deadline day itself still counts).
    public var horizon: Int { max(0, asOf.days(until: deadline)) }
    /// Days from the counting start to the evaluation date.
    public var elapsed: Int { max(0, (timeline.points.first?.date ?? asOf).days(until: asOf)) }
    /// r_req = R / H (infinite when no time is left and something remains).
    public var requiredRate: Double {
        remaining == 0 ? 0 : (horizon == 0 ? .infinity : remaining / Double(horizon))
    }
    /// The latest date any projection looks at: completion later than this is "not within horizon".
    public var horizonEnd: CalendarDate { deadline.adding(days: settings.completionHorizonDays) }
}

/// Tunables of the projections, with the defaults the README documents.
public struct ProjectionSettings: Sendable, Equatable, Codable {
    /// Prior spread of the log delivery rate (0.5 ≈ ±65 % in rate at one standard deviation).
    public var priorSigma: Double = 0.5
    /// Degrees of freedom of the log-rate model's Student-t (ν₀): heavier tails than a normal, because a
    /// handful of reports cannot rule out a ramp-up or a collapse.
    public var priorWeight: Double = 4
    /// Recent intervals weigh more: an interval's weight halves for every this many days of age.
    public var recencyHalfLifeDays: Double = 180
    /// A zero (or negative) interval counts as if this share of the target had been delivered in it,
    /// so its log-rate is finite yet strongly pessimistic.
    public var zeroIntervalShare: Double = 0.001
    /// Intervals needed before the block bootstrap replaces the log-rate model.
    public var bootstrapMinimumIntervals: Int = 5
    /// Runs of the block bootstrap, at most.
    public var bootstrapRuns: Int = 2000
    /// The bootstrap stops after this many runs when they all agree — every one reaches the target by the
    /// deadline, or none does. `P(on time)` is then 1 or 0, as the full count would almost surely give too
    /// (with none of 500 on time, the 95 % upper bound is 3/500 = 0.6 %), and the quantiles come from these
    /// runs. Any disagreement and all `bootstrapRuns` run. At least 100 (as the runs); 0 turns the pilot off.
    public var bootstrapPilotRuns: Int = 500
    /// Log-normal jitter on each drawn block's rate.
    public var bootstrapJitterSigma: Double = 0.25
    public var seed: UInt64 = 20_230_320
    /// Completion dates later than this many days past the deadline are reported as "not within horizon".
    public var completionHorizonDays: Int = 3650

    public init() {}
}

/// Quantiles by confidence level: P90 is what is reached with 90 % probability. A higher level therefore
/// gives a smaller quantity and a later date (p90 ≤ p50 ≤ p10 for quantities, the reverse for dates).
public struct Quantiles<Value: Sendable & Equatable & Codable>: Sendable, Equatable, Codable {
    public let p10: Value
    public let p50: Value
    public let p90: Value

    public init(p10: Value, p50: Value, p90: Value) {
        self.p10 = p10
        self.p50 = p50
        self.p90 = p90
    }
}

/// One method's answer.
public struct Projection: Sendable, Equatable {
    public let method: String
    /// Projected cumulative total at the deadline.
    public let totalAtDeadline: Quantiles<Double>
    /// P(target met by the deadline), when the method gives one.
    public let probabilityOnTime: Double?
    /// Completion dates; `nil` members are "not within horizon".
    public let completion: Quantiles<CalendarDate?>
    /// The delivery rate per day the method assumes (its central estimate).
    public let rate: Double
}

/// A projection method: a pure function of its input.
public protocol ProjectionMethod: Sendable {
    var name: String { get }
    func project(_ input: ProjectionInput) -> Projection
}

extension ProjectionInput {
    /// The day `remaining` is reached at `rate`, or nil past the horizon or at a zero rate.
    func completionDate(rate: Double) -> CalendarDate? {
        if remaining == 0 { return timeline.points.last?.date ?? asOf }
        guard rate > 0, rate.isFinite else { return nil }
        let days = (remaining / rate).rounded(.up)
        guard days <= Double(asOf.days(until: horizonEnd)) else { return nil }
        return asOf.adding(days: Int(days))
    }
}
