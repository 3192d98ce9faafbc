import Foundation

/// How much each past interval says about the future rate.
///
/// Weight = length in days × 2^(−age / half-life), where age is the days from the interval's midpoint to
/// the evaluation date. Longer intervals carry more evidence; recent ones say more about a production
/// line that is ramping up (or a stockpile that is running out). With the default half-life of 180 days,
/// a year-old interval still counts a quarter as much as one ending today: recent pace leads, history
/// still tempers it. This is a deliberate choice, documented in the README.
struct WeightedInterval {
    let interval: Timeline.Interval
    let weight: Double
    /// The interval's rate, with any interval that delivered less than `zeroIntervalShare` of the target
    /// (zero and negative ones included) raised to that share: a clamp, so more delivered never lowers it.
    let flooredRate: Double

    static func weigh(_ input: ProjectionInput) -> [WeightedInterval] {
        let floor = max(input.targetValue * input.settings.zeroIntervalShare, 1e-9)
        return input.intervals.map { interval in
            let midpoint = Double(interval.start.daysSinceEpoch + interval.end.daysSinceEpoch) / 2
            let age = max(0, Double(input.asOf.daysSinceEpoch) - midpoint)
            let weight = Double(interval.days) * pow(2, -age / input.settings.recencyHalfLifeDays)
            return WeightedInterval(
                interval: interval, weight: weight, flooredRate: max(interval.increment, floor) / Double(interval.days))
        }
    }
}
