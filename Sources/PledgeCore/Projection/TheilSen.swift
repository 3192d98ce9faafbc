/// Theil–Sen robust trend: the slope is the median of the pairwise slopes of all points (anchor included),
/// so one misreported figure cannot swing it. The 10th and 90th percentiles of the pairwise slopes give a
/// crude band (Sen 1968 gives the exact small-sample interval; with 2–5 points the crude band is honest
/// enough and says so through the confidence grade).
public struct TheilSen: ProjectionMethod {
    public let name = "theil_sen"
    public init() {}

    /// Every pairwise slope, sorted.
    public func slopes(_ timeline: Timeline) -> [Double] { unsortedSlopes(timeline).sorted() }

    func unsortedSlopes(_ timeline: Timeline) -> [Double] {
        let points = timeline.points
        let days = points.map { Double($0.date.daysSinceEpoch) }
        let totals = points.map { $0.cumulative.doubleValue }
        let count = points.count
        // Days in strictly ascending order, as every timeline built from a ledger has them: every pair
        // j > i is then a later day than the earlier point's, and the pairs need no test — the loop below
        // writes the slopes straight into place, in the order the general loop appends them.
        if count > 1, zip(days, days.dropFirst()).allSatisfy({ $0 < $1 }) {
            let pairs = count * (count - 1) / 2
            return [Double](unsafeUninitializedCapacity: pairs) { slopes, written in
                days.withUnsafeBufferPointer { days in
                    totals.withUnsafeBufferPointer { totals in
                        var start = slopes.baseAddress!
                        for i in 0..<(count - 1) {
                            let (day, total) = (days[i], totals[i])
                            for j in (i + 1)..<count { start[j - i - 1] = (totals[j] - total) / (days[j] - day) }
                            start += count - 1 - i
                        }
                    }
                }
                written = pairs
            }
        }
        var slopes: [Double] = []
        slopes.reserveCapacity(points.count * (points.count - 1) / 2)
        // Each pair once (j > i), a later day than the earlier point's: the same slopes in the same order as
        // filtering every j, in half the iterations.
        for i in points.indices {
            for j in (i + 1)..<points.count where days[j] > days[i] {
                slopes.append((totals[j] - totals[i]) / (days[j] - days[i]))
            }
        }
        return slopes
    }

    public func project(_ input: ProjectionInput) -> Projection {
        var slopes = unsortedSlopes(input.timeline)
        guard !slopes.isEmpty else {
            let flat = RunRate().project(input)
            return Projection(
                method: name, totalAtDeadline: flat.totalAtDeadline, probabilityOnTime: nil, completion: flat.completion, rate: flat.rate)
        }
        let quantiles = Statistics.quantiles(of: &slopes, [0.1, 0.5, 0.9]).map { max(0, $0) }
        let (low, median, high) = (quantiles[0], quantiles[1], quantiles[2])
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
