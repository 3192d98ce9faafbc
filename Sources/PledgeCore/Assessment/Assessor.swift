import Foundation

/// Turns a pledge's timeline and terms into an assessment.
///
/// Headline rule: the probabilistic method supplies the headline figures — the block bootstrap once
/// there are at least `bootstrapMinimumIntervals` intervals, the log-rate model before that. Run-rate and
/// Theil–Sen are computed beside it and reported as alternatives; the observed rate is always run-rate's.
public struct Assessor: Sendable {
    public let policy: AssessmentPolicy

    public init(policy: AssessmentPolicy = .init()) { self.policy = policy }

    public func assess(pledge: Pledge, timeline: Timeline, asOf: CalendarDate) -> Assessment {
        let terms = pledge.terms(on: asOf)
        let input = ProjectionInput(
            timeline: timeline, target: terms.target, deadline: terms.deadline, asOf: asOf, settings: policy.projection)
        let runRate = RunRate().project(input)
        let theilSen = TheilSen().project(input)
        let intervals = input.intervals.count
        let probabilistic: Projection =
            intervals >= policy.projection.bootstrapMinimumIntervals
            ? BlockBootstrap().project(input) : LogRateModel().project(input)
        let headline = timeline.observationCount == 0 ? runRate : probabilistic
        let delivered = timeline.delivered
        let remaining = max(0, terms.target - delivered)
        let required = input.requiredRate
        let observed = RunRate().observedRate(input)
        let (grade, reasons) = grade(timeline: timeline, input: input, method: headline.method)
        let (status, why) = status(
            pledge: pledge, timeline: timeline, input: input, probability: headline.probabilityOnTime)
        return Assessment(
            pledgeID: pledge.publicID, asOf: asOf, target: terms.target, deadline: terms.deadline, delivered: delivered,
            remaining: remaining, daysLeft: input.horizon,
            requiredRate: required.isFinite ? required : nil, observedRate: observed,
            paceRatio: required > 0 && required.isFinite ? observed / required : nil,
            projectedTotal: headline.totalAtDeadline,
            shortfall: max(0, terms.target.doubleValue - headline.totalAtDeadline.p50),
            probabilityOnTime: headline.probabilityOnTime, completion: Self.metOn(timeline, target: terms.target) ?? headline.completion,
            method: headline.method,
            alternatives: Dictionary(
                [runRate, theilSen, probabilistic].map { ($0.method, $0.totalAtDeadline.p50) }, uniquingKeysWith: { first, _ in first }),
            observations: timeline.observationCount,
            spanDays: (timeline.points.first?.date ?? asOf).days(until: timeline.points.last?.date ?? asOf),
            grade: grade, gradeReasons: reasons, status: status, statusReason: why)
    }

    /// For a pledge whose total has reached its target: the day it last did (it may have dipped below after
    /// a correction and come back), as all three completion quantiles. The methods project from the as-of
    /// day and would give that day, or the last report's, instead.
    /// Read from the end: the last point decides whether the target stands reached, and the points before it
    /// at or above the target (back to the last one below) when it was reached — one comparison for a
    /// pledge short of its target, where a `Decimal` comparison per point cost 4 % of an evaluation.
    static func metOn(_ timeline: Timeline, target: Decimal) -> Quantiles<CalendarDate?>? {
        var reached: CalendarDate?
        for point in timeline.points.reversed() {
            guard point.cumulative >= target else { break }
            reached = point.date
        }
        return reached.map { Quantiles(p10: $0, p50: $0, p90: $0) }
    }

    /// A: ≥ 5 reports over ≥ 180 days; B: ≥ 3 reports over ≥ 90 days; C: 2 reports, or 3+ over a short
    /// span; D: one report or none. One grade lower when the horizon is longer than the observed span.
    func grade(timeline: Timeline, input: ProjectionInput, method: String) -> (ConfidenceGrade, [String]) {
        let n = timeline.observationCount
        let span = (timeline.points.first?.date ?? input.asOf).days(until: timeline.points.last?.date ?? input.asOf)
        var reasons = ["\(n) report\(n == 1 ? "" : "s") over \(span) days (plus the assumed zero at the counting start)"]
        var grade: ConfidenceGrade
        switch (n, span) {
        case (5..., 180...): grade = .a
        case (3..., 90...): grade = .b
        case (2..., _): grade = .c
        default: grade = .d
        }
        if n == 0 { reasons.append("no report yet: nothing to project from") }
        if n == 1 { reasons.append("a single report: any forecast is mostly the prior's") }
        if input.horizon > span && grade > .d {
            grade = grade.lowered
            reasons.append("the horizon (\(input.horizon) days) is longer than the observed span")
        }
        reasons.append("method: \(method)")
        return (grade, reasons)
    }

    func status(
        pledge: Pledge, timeline: Timeline, input: ProjectionInput, probability: Double?
    ) -> (PledgeHealth, String) {
        if pledge.status == .withdrawn { return (.withdrawn, "the pledge was withdrawn") }
        if pledge.status == .proposed { return (.notBinding, "proposed, not yet committed") }
        if input.remaining == 0 { return (.met, "the target is reached") }
        if let start = timeline.points.first?.date, input.asOf < start {
            return (.insufficientData, "deliveries start counting on \(start)")
        }
        if input.asOf >= input.deadline {
            return (.missed, "the deadline \(input.deadline) has passed (as of \(input.asOf)) with the target not reached")
        }
        let elapsed = input.elapsed
        let expectedByNow = input.targetValue * Double(elapsed) / Double(max(1, (timeline.points.first?.date ?? input.asOf).days(until: input.deadline)))
        let behind = input.delivered < expectedByNow
        let quiet = (timeline.lastIncrease ?? timeline.points.first?.date ?? input.asOf).days(until: input.asOf)
        if behind && quiet >= policy.stalledAfterDays && elapsed >= policy.stalledAfterDays {
            return (.stalled, "behind schedule and nothing delivered for \(quiet) days")
        }
        guard let probability, timeline.observationCount > 0 else {
            return (.insufficientData, elapsed < policy.minimumDaysForVerdict ? "counting started \(elapsed) days ago" : "no delivery reported yet")
        }
        let percent = Figure.fixed(probability * 100, places: 0) + " %"
        if probability < policy.likelyMissBelow { return (.likelyMiss, "P(on time) \(percent) is below \(policy.likelyMissBelow)") }
        if probability < policy.atRiskBelow { return (.atRisk, "P(on time) \(percent) is below \(policy.atRiskBelow)") }
        return (.onTrack, "P(on time) \(percent)")
    }
}
