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
        var slopes: [Double] = []
        slopes.reserveCapacity(points.count * (points.count - 1) / 2)
        for i in points.indices {
            for j in points.indices where j > i && days[j] > days[i] {
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

    /// The same linear-interpolated quantiles as `quantile(sorted:_:)` for ascending `qs`, found by
    /// selection (expected linear time) instead of a full sort. Reorders `values`.
    static func quantiles(of values: inout [Double], _ qs: [Double]) -> [Double] {
        guard !values.isEmpty else { return qs.map { _ in 0 } }
        let last = values.count - 1
        let positions = qs.map { $0 * Double(last) }
        var ranks: [Int] = []
        for position in positions {
            let lower = Int(position.rounded(.down))
            ranks.append(lower)
            ranks.append(min(lower + 1, last))
        }
        let unique = Array(Set(ranks)).sorted()
        let found = Dictionary(uniqueKeysWithValues: zip(unique, orderStatistics(of: &values, ranks: unique)))
        return positions.map { position in
            let lower = Int(position.rounded(.down))
            let low = found[lower]!
            let high = found[min(lower + 1, last)]!
            return low + (high - low) * (position - Double(lower))
        }
    }

    /// The values that would be at `ranks` (ascending, distinct) if `values` were sorted. Reorders `values`.
    static func orderStatistics(of values: inout [Double], ranks: [Int]) -> [Double] {
        var from = 0
        return ranks.map { rank in
            if rank >= from {
                select(&values, rank, from: from)
                from = rank + 1
            }
            return values[rank]
        }
    }

    /// Hoare's selection: afterwards `values[k]` holds the k-th smallest of `values[from...]`, with no larger
    /// value before it and no smaller one after it (within `from...`).
    static func select(_ values: inout [Double], _ k: Int, from: Int) {
        var low = from
        var high = values.count - 1
        while low < high {
            let (a, b, c) = (values[low], values[low + (high - low) / 2], values[high])
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = low
            var j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return
            }
        }
    }
}
