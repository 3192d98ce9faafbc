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
/// so the same input gives the same output; each run draws from a stream of its own (seeded from the
/// settings' seed), so a run's blocks do not depend on how many draws the runs before it took: with a
/// later deadline or a nearer target every run walks the same path, and P(on time) cannot drop (with
/// one stream shared by all runs it could, by a run or two: a longer walk shifted the next runs' draws).
/// When the first `bootstrapPilotRuns` runs all agree (all on time, or none), the walk stops there; the
/// stopping rule keeps that monotonicity: a pledge whose pilot is all late is all late with any earlier
/// deadline or farther target, and one whose pilot is all on time has P(on time) = 1.
public struct BlockBootstrap: ProjectionMethod {
    public let name = "block_bootstrap"
    public init() {}

    public func project(_ input: ProjectionInput) -> Projection {
        let blocks = WeightedInterval.weigh(input)
        let totalWeight = blocks.reduce(0) { $0 + $1.weight }
        guard !blocks.isEmpty, totalWeight > 0 else { return LogRateModel().project(input) }
        // The hot loop touches only these: one 64-bit draw picks a block (alias method, O(1)) and its
        // jitter (a stratified table of the log-normal), so a step costs no logarithm, sine or exponential.
        let picker = AliasTable(weights: blocks.map(\.weight))
        let rates = blocks.map { max(0, $0.interval.rate) }
        let lengths = blocks.map { Double($0.interval.days) }
        let draws = BlockDraws(picker: picker, rates: rates, lengths: lengths)
        let jitter = JitterTable.multipliers(sigma: input.settings.bootstrapJitterSigma)
        var runSeeds = SeededGenerator(seed: input.settings.seed)
        let planned = max(100, input.settings.bootstrapRuns)
        // As for the runs, at least 100: a handful of runs agreeing says nothing.
        let pilot = input.settings.bootstrapPilotRuns > 0 ? min(planned, max(100, input.settings.bootstrapPilotRuns)) : planned
        var runs = planned
        let horizon = Double(input.horizon)
        let limit = Double(input.asOf.days(until: input.horizonEnd))
        // The first step reaching this hands over to the careful loop: the deadline, or the end of the
        // walk if that comes first.
        let bound = min(horizon, limit)
        let remaining = input.remaining
        // Filled run by run: room for the pilot first (a settled pledge never needs more).
        var totals: [Double] = []
        var passages: [Double] = []
        totals.reserveCapacity(pilot)
        passages.reserveCapacity(pilot)
        var onTime = 0
        draws.thresholds.withUnsafeBufferPointer { thresholds in
            draws.blocks.withUnsafeBufferPointer { blockTable in
                jitter.withUnsafeBufferPointer { jitter in
                    for run in 0..<runs {
                        var generator = WalkGenerator(seed: runSeeds.next())
                        var day = 0.0
                        var delivered = 0.0
                        var totalAtDeadline: Double?
                        var passage: Double? = remaining == 0 ? 0 : nil
                        // Most steps reach neither the deadline nor the target: this loop takes those without
                        // looking at either answer, and hands the first step that reaches one (its draw) on.
                        var pending: UInt64?
                        if passage == nil, day < limit {
                            while true {
                                let bits = generator.next()
                                let block = BlockDraws.draw(bits, thresholds: thresholds, blocks: blockTable, shift: draws.shift)
                                let step = block.step * jitter[Int(bits & JitterTable.mask)]
                                if day + block.length >= bound || delivered + step >= remaining {
                                    pending = bits
                                    break
                                }
                                delivered += step
                                day += block.length
                            }
                        }
                        // Walk in blocks to the deadline (and on, until the target if that comes sooner); past
                        // the deadline only the passage day is still unknown: the run continues at its own
                        // average pace.
                        while day < limit && (passage == nil || totalAtDeadline == nil) {
                            if totalAtDeadline != nil, passage == nil, day > 0 {
                                let pace = delivered / day
                                if pace > 0 { passage = day + Self.roundedUp((remaining - delivered) / pace) }
                                break
                            }
                            let bits = pending ?? generator.next()
                            pending = nil
                            let block = BlockDraws.draw(bits, thresholds: thresholds, blocks: blockTable, shift: draws.shift)
                            let multiplier = jitter[Int(bits & JitterTable.mask)]
                            let rate = block.rate * multiplier
                            let step = block.step * multiplier
                            let length = block.length
                            if totalAtDeadline == nil, day + length >= horizon {
                                totalAtDeadline = delivered + rate * max(0, horizon - day)
                            }
                            if passage == nil, rate > 0, delivered + step >= remaining {
                                passage = day + Self.roundedUp((remaining - delivered) / rate)
                            }
                            delivered += step
                            day += length
                        }
                        totals.append(input.delivered + (totalAtDeadline ?? delivered))
                        let first = passage ?? .infinity
                        passages.append(first)
                        if first <= horizon { onTime += 1 }
                        if run == pilot - 1, onTime == 0 || onTime == pilot {
                            runs = pilot
                            break
                        }
                    }
                }
            }
        }
        // Only five order statistics are needed: select them rather than sort every run.
        let quantiles = Statistics.quantiles(of: &totals, [0.1, 0.5, 0.9])
        let ranks = [0.1, 0.5, 0.9].map { min(runs - 1, Int(($0 * Double(runs - 1)).rounded())) }
        let passageDays = Statistics.orderStatistics(of: &passages, ranks: ranks)
        func date(_ value: Double) -> CalendarDate? {
            guard value.isFinite, value <= limit else { return nil }
            return input.asOf.adding(days: Int(value))
        }
        let medianTotal = quantiles[1]
        return Projection(
            method: name,
            totalAtDeadline: Quantiles(p10: quantiles[2], p50: medianTotal, p90: quantiles[0]),
            probabilityOnTime: remaining == 0 ? 1 : Double(onTime) / Double(runs),
            completion: Quantiles(p10: date(passageDays[0]), p50: date(passageDays[1]), p90: date(passageDays[2])),
            rate: horizon > 0 ? max(0, (medianTotal - input.delivered) / horizon) : blocks.map(\.interval.rate).reduce(0, +) / Double(blocks.count))
    }

    /// `x.rounded(.up)` without the call into libm (x86-64's baseline has no rounding instruction) for the
    /// positive values below 2⁵² the walk divides out, where truncation is exact; anything else goes to
    /// libm. Same value either way.
    @inline(__always)
    static func roundedUp(_ x: Double) -> Double {
        guard x > 0, x < 4_503_599_627_370_496 else { return x.rounded(.up) }
        let truncated = Double(Int64(x))
        return truncated < x ? truncated + 1 : truncated
    }
}

/// Walker's alias method (Vose's construction): draws an index with probability proportional to its
/// weight in constant time from one 64-bit random word: its top bits choose a column (the table is padded
/// with never-drawn columns of weight zero to a power of two, so that is one shift), bits 10–31 the coin.
/// A column keeps its own index when the coin, a whole number below 2²², is below its threshold; the
/// threshold is the column's share scaled by 2²² and rounded up, which decides exactly as comparing the
/// coin's fraction of 2²² with the share would.
struct AliasTable {
    static let coinBits = 22
    let threshold: [UInt64]
    let alias: [Int]
    /// 64 minus the column index's bits.
    let shift: UInt64

    init(weights: [Double]) {
        precondition(weights.count <= 1 << 32, "alias table: too many columns")
        var width = 1  // at least two columns: a shift by 64 would keep every bit
        while 1 << width < weights.count { width += 1 }
        let count = 1 << width
        let total = weights.reduce(0, +)
        var scaled = (weights + Array(repeating: 0, count: count - weights.count)).map { $0 * Double(count) / total }
        var share = [Double](repeating: 1, count: count)
        var alias = Array(0..<count)
        var small: [Int] = []
        var large: [Int] = []
        for index in 0..<count {
            if scaled[index] < 1 { small.append(index) } else { large.append(index) }
        }
        while !small.isEmpty && !large.isEmpty {
            let light = small.removeLast()
            let heavy = large.removeLast()
            share[light] = scaled[light]
            alias[light] = heavy
            scaled[heavy] = scaled[heavy] + scaled[light] - 1
            if scaled[heavy] < 1 { small.append(heavy) } else { large.append(heavy) }
        }
        // Whatever is left is full up to rounding: it keeps its own column — unless it weighs nothing (a
        // padding column left over by rounding), which then always gives way to the heaviest.
        let heaviest = weights.indices.max { weights[$0] < weights[$1] } ?? 0
        for index in small + large where index >= weights.count || weights[index] <= 0 {
            share[index] = 0
            alias[index] = heaviest
        }
        threshold = share.map { UInt64((max(0, min(1, $0)) * Double(1 << Self.coinBits)).rounded(.up)) }
        self.alias = alias
        shift = UInt64(64 - width)
    }

    @inline(__always)
    func pick(_ bits: UInt64) -> Int {
        let column = Int(bits &>> shift)
        return (bits >> 10) & 0x3F_FFFF < threshold[column] ? column : alias[column]
    }
}

/// The alias table with each column's two outcomes inlined: a draw reads the column's threshold, then one
/// of the column's two blocks (its own or its alias's: rate, length and their product) at an index computed
/// from the comparison — no branch to mispredict, no further arrays to read. Draws exactly what
/// `AliasTable.pick` draws (tested).
struct BlockDraws {
    /// One drawable block: its rate, its length in days and their product.
    struct Block {
        let step: Double
        let length: Double
        let rate: Double
    }

    let thresholds: [UInt64]
    /// Two per column: its own block, then its alias's.
    let blocks: [Block]
    let shift: UInt64

    init(picker: AliasTable, rates: [Double], lengths: [Double]) {
        // Padding columns are never drawn; their own outcome is a placeholder.
        func block(_ index: Int) -> Block {
            index < rates.count
                ? Block(step: rates[index] * lengths[index], length: lengths[index], rate: rates[index])
                : Block(step: 0, length: 1, rate: 0)
        }
        thresholds = picker.threshold
        var blocks: [Block] = []
        blocks.reserveCapacity(2 * picker.threshold.count)
        for column in picker.threshold.indices {
            blocks.append(block(column))
            blocks.append(block(picker.alias[column]))
        }
        self.blocks = blocks
        shift = picker.shift
    }

    /// The block that the 64-bit word `bits` draws (`AliasTable.pick`'s choice).
    @inline(__always)
    static func draw(
        _ bits: UInt64, thresholds: UnsafeBufferPointer<UInt64>, blocks: UnsafeBufferPointer<Block>, shift: UInt64
    ) -> Block {
        let column = Int(truncatingIfNeeded: bits &>> shift)
        let aliased = (bits >> 10) & 0x3F_FFFF < thresholds[column] ? 0 : 1
        return blocks[2 &* column &+ aliased]
    }

    /// The same, for callers without the buffers at hand (tests).
    func draw(_ bits: UInt64) -> Block {
        thresholds.withUnsafeBufferPointer { thresholds in
            blocks.withUnsafeBufferPointer { Self.draw(bits, thresholds: thresholds, blocks: $0, shift: shift) }
        }
    }
}

/// The log-normal jitter exp(σ·Z) as 1,024 equally likely values: Z at the midpoints of 1,024 equal
/// probability strata of the standard normal. Drawing a stratum uniformly is a draw from the normal
/// truncated at ±3.3σ, which for a ±25 % jitter on a block's rate is indistinguishable.
enum JitterTable {
    static let size = 1024
    static let mask = UInt64(size - 1)
    static let normalQuantiles: [Double] = (0..<size).map { inverseNormal((Double($0) + 0.5) / Double(size)) }
    static let defaultSigma = ProjectionSettings().bootstrapJitterSigma
    static let defaultMultipliers = normalQuantiles.map { exp(defaultSigma * $0) }

    static func multipliers(sigma: Double) -> [Double] {
        sigma == defaultSigma ? defaultMultipliers : normalQuantiles.map { exp(sigma * $0) }
    }

    /// Φ⁻¹(p) by Acklam's rational approximation (relative error below 1.2·10⁻⁹), for 0 < p < 1.
    static func inverseNormal(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        func tail(_ q: Double) -> Double {
            (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p < low { return tail(sqrt(-2 * log(p))) }
        if p > 1 - low { return -tail(sqrt(-2 * log(1 - p))) }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}

/// SplitMix64: small, fast, and reproducible across platforms.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The walk's generator, wyrand (Wang Yi's; the generator Go's runtime and Zig's standard library use for
/// fast draws): one addition and one 64×64→128-bit multiplication a draw, where SplitMix64 takes two
/// multiplications and three shift-xors. Each run seeds one from `SeededGenerator`.
struct WalkGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0xA076_1D64_78BD_642F
        let product = state.multipliedFullWidth(by: state ^ 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }
}
