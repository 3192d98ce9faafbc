/// Theil–Sen robust trend: the slope is the median of the pairwise slopes of all points (anchor included),
/// so one misreported figure cannot swing it. The 10th and 90th percentiles of the pairwise slopes give a
/// crude band (Sen 1968 gives the exact small-sample interval; with 2–5 points the crude band is honest
/// enough and says so through the confidence grade).
public struct TheilSen: ProjectionMethod {
    public let name = "theil_sen"
    public init() {}

    public func slopes(_ timeline: Timeline) -> [Double] {
        let points = timeline.points
        var slopes: [Double] = []
        for i in points.indices {
            for j in points.indices where j > i {
                let days = points[i].date.days(until: points[j].date)
                guard days > 0 else { continue }
                slopes.append((points[j].cumulative - points[i].cumulative).doubleValue / Double(days))
            }
        }
        return slopes.sorted()
    }

    public func project(_ input: ProjectionInput) -> Projection {
        let slopes = slopes(input.timeline)
        guard !slopes.isEmpty else {
            let flat = RunRate().project(input)
            return Projection(
                method: name, totalAtDeadline: flat.totalAtDeadline, probabilityOnTime: nil, completion: flat.completion, rate: flat.rate)
        }
        let median = max(0, Statistics.quantile(sorted: slopes, 0.5))
        let low = max(0, Statistics.quantile(sorted: slopes, 0.1))
        let high = max(0, Statistics.quantile(sorted: slopes, 0.9))
        let horizon = Double(input.horizon)
        return Projection(
            method: name,
            totalAtDeadline: Quantiles(
                p10: input.delivered + high * horizon, p50: input.delivered + median * horizon, p90: input.delivered + low * horizon),
            probabilityOnTime: nil,
            completion: Quantiles(
                p10: input.completionDate(rate: high), p50: input.completionDate(rate: median), p90: input.completionDate(rate: low)),
            rate: median)
    }
}

enum Statistics {
    /// Linear-interpolated quantile of sorted values.
    static func quantile(sorted values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + (values[upper] - values[lower]) * fraction
    }
}
