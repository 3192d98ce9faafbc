import Foundation

/// The probabilistic method once there are enough intervals: a block-bootstrap Monte Carlo.
///
/// Each run walks forward from the evaluation date in blocks: it draws a past interval (probability
/// proportional to its weight, see `WeightedInterval`), delivers at that interval's rate times a
/// log-normal jitter for that interval's length, and repeats until the horizon. P(on time) is the share
/// of runs reaching the target by the deadline; each run's first-passage day gives the completion
/// quantiles and its total at the deadline the quantity quantiles. A run that has not reached the target
/// by the deadline continues at its own average pace to find its completion day (walking years of blocks
/// past the deadline would cost much and add little). Zero intervals stay zero: stalls happen. Seeded,
/// so the same input gives the same output.
public struct BlockBootstrap: ProjectionMethod {
    public let name = "block_bootstrap"
    public init() {}

    public func project(_ input: ProjectionInput) -> Projection {
        let blocks = WeightedInterval.weigh(input)
        let totalWeight = blocks.reduce(0) { $0 + $1.weight }
        guard !blocks.isEmpty, totalWeight > 0 else { return LogRateModel().project(input) }
        var cumulativeWeights: [Double] = []
        var running = 0.0
        for block in blocks {
            running += block.weight / totalWeight
            cumulativeWeights.append(running)
        }
        var generator = SeededGenerator(seed: input.settings.seed)
        let runs = max(100, input.settings.bootstrapRuns)
        let horizon = Double(input.horizon)
        let limit = Double(input.asOf.days(until: input.horizonEnd))
        let remaining = input.remaining
        var totals: [Double] = []
        var passages: [Double] = []
        totals.reserveCapacity(runs)
        passages.reserveCapacity(runs)
        var onTime = 0
        for _ in 0..<runs {
            var day = 0.0
            var delivered = 0.0
            var totalAtDeadline: Double?
            var passage: Double? = remaining == 0 ? 0 : nil
            // Walk in blocks to the deadline (and on, until the target if that comes sooner); past the
            // deadline only the passage day is still unknown: the run continues at its own average pace.
            while day < limit && (passage == nil || totalAtDeadline == nil) {
                if totalAtDeadline != nil, passage == nil, day > 0 {
                    let pace = delivered / day
                    if pace > 0 { passage = day + ((remaining - delivered) / pace).rounded(.up) }
                    break
                }
                let pick = generator.nextUniform()
                let index = Self.firstIndex(in: cumulativeWeights, reaching: pick)
                let block = blocks[index]
                let rate = max(0, block.interval.rate) * exp(input.settings.bootstrapJitterSigma * generator.nextNormal())
                let length = Double(block.interval.days)
                if totalAtDeadline == nil, day + length >= horizon {
                    totalAtDeadline = delivered + rate * max(0, horizon - day)
                }
                if passage == nil, rate > 0, delivered + rate * length >= remaining {
                    passage = day + ((remaining - delivered) / rate).rounded(.up)
                }
                delivered += rate * length
                day += length
            }
            totals.append(input.delivered + (totalAtDeadline ?? delivered))
            let first = passage ?? .infinity
            passages.append(first)
            if first <= horizon { onTime += 1 }
        }
        totals.sort()
        passages.sort()
        func date(_ q: Double) -> CalendarDate? {
            let value = passages[min(passages.count - 1, Int((q * Double(passages.count - 1)).rounded()))]
            guard value.isFinite, value <= limit else { return nil }
            return input.asOf.adding(days: Int(value))
        }
        let medianTotal = Statistics.quantile(sorted: totals, 0.5)
        return Projection(
            method: name,
            totalAtDeadline: Quantiles(
                p10: Statistics.quantile(sorted: totals, 0.9), p50: medianTotal, p90: Statistics.quantile(sorted: totals, 0.1)),
            probabilityOnTime: remaining == 0 ? 1 : Double(onTime) / Double(runs),
            completion: Quantiles(p10: date(0.1), p50: date(0.5), p90: date(0.9)),
            rate: horizon > 0 ? max(0, (medianTotal - input.delivered) / horizon) : blocks.map(\.interval.rate).reduce(0, +) / Double(blocks.count))
    }
}

extension BlockBootstrap {
    /// The first index whose cumulative weight reaches `value` (binary search: draws are the hot loop).
    static func firstIndex(in cumulative: [Double], reaching value: Double) -> Int {
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] >= value { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// SplitMix64: small, fast, and reproducible across platforms.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    private var spareNormal: Double?

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    mutating func nextUniform() -> Double { Double(next() >> 11 + 1) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let u = nextUniform()
        let v = nextUniform()
        let radius = sqrt(-2 * log(u))
        spareNormal = radius * sin(2 * .pi * v)
        return radius * cos(2 * .pi * v)
    }
}
