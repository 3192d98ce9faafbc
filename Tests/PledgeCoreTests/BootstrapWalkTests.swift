import Foundation
import PropertyBased
import Testing

@testable import PledgeCore

/// The bootstrap's walk takes the steps that reach neither the deadline nor the target in a loop of their
/// own, over blocks inlined into the alias table's columns. That is only a faster way to compute the same
/// thing: here it is held to the plain walk it replaced, draw for draw, over random histories and terms.
@Suite("block bootstrap walk")
struct BootstrapWalkTests {
    @Test("the walk gives exactly what the plain walk gives: quantities, probability, dates")
    func sameAsPlainWalk() async {
        await propertyCheck(
            count: 150, input: Gen.int(in: 1...60).array(of: 5...30), Gen.int(in: 0...5_000).array(of: 30),
            Gen.int(in: -30...400), Gen.int(in: 1...40)
        ) { gaps, increments, deadlineAfter, targetFactor in
            let start = CalendarDate(iso: "2023-03-20")!
            var day = start
            var changes: [(date: CalendarDate, change: Decimal)] = []
            for (gap, increment) in zip(gaps, increments) {
                day = day.adding(days: gap)
                changes.append((day, Decimal(increment)))
            }
            let timeline = Timeline(countsFrom: start, asOf: day, changes: changes)
            var settings = ProjectionSettings()
            settings.bootstrapRuns = 300
            let delivered = increments.prefix(gaps.count).reduce(0, +)
            let input = ProjectionInput(
                timeline: timeline, target: Decimal(delivered * targetFactor / 10), deadline: day.adding(days: deadlineAfter),
                asOf: day, settings: settings)
            #expect(BlockBootstrap().project(input) == Self.plainWalk(input))
        }
    }

    @Test("the walk's rounding up is the standard library's, bit for bit, for any double")
    func roundedUpIsRoundedUp() async {
        func same(_ x: Double) -> Bool {
            let (ours, reference) = (BlockBootstrap.roundedUp(x), x.rounded(.up))
            return ours.bitPattern == reference.bitPattern || (ours.isNaN && reference.isNaN)
        }
        let edges: [Double] = [
            0, -0.0, .leastNonzeroMagnitude, 0.5, 1, 1.0.nextDown, 1.0.nextUp, 2.5, 1e15 + 0.5, 4_503_599_627_370_495.5,
            4_503_599_627_370_496, 4_503_599_627_370_497, 1e300, .greatestFiniteMagnitude, .infinity, -.infinity, .nan, -0.5, -7.25,
        ]
        for x in edges { #expect(same(x), "\(x)") }
        await propertyCheck(
            count: 2_000, input: Gen.uint64(), Gen.double(in: 0...1_000), Gen.double(in: 0...4_503_599_627_370_496)
        ) { bits, small, large in
            for x in [Double(bitPattern: bits), small, large] { #expect(same(x), "\(x)") }
        }
    }

    /// The walk as it was before the fast loop, kept as the reference.
    static func plainWalk(_ input: ProjectionInput) -> Projection {
        let blocks = WeightedInterval.weigh(input)
        let totalWeight = blocks.reduce(0) { $0 + $1.weight }
        guard !blocks.isEmpty, totalWeight > 0 else { return LogRateModel().project(input) }
        // The hot loop touches only these: one 64-bit draw picks a block (alias method, O(1)) and its
        // jitter (a stratified table of the log-normal), so a step costs no logarithm, sine or exponential.
        let picker = AliasTable(weights: blocks.map(\.weight))
        let rates = blocks.map { max(0, $0.interval.rate) }
        let lengths = blocks.map { Double($0.interval.days) }
        let steps = zip(rates, lengths).map { $0 * $1 }
        let jitter = JitterTable.multipliers(sigma: input.settings.bootstrapJitterSigma)
        var runSeeds = SeededGenerator(seed: input.settings.seed)
        let runs = max(100, input.settings.bootstrapRuns)
        let horizon = Double(input.horizon)
        let limit = Double(input.asOf.days(until: input.horizonEnd))
        let remaining = input.remaining
        var totals = [Double](repeating: 0, count: runs)
        var passages = [Double](repeating: 0, count: runs)
        var onTime = 0
        rates.withUnsafeBufferPointer { rates in
            lengths.withUnsafeBufferPointer { lengths in
                jitter.withUnsafeBufferPointer { jitter in
                    for run in 0..<runs {
                        var generator = WalkGenerator(seed: runSeeds.next())
                        var day = 0.0
                        var delivered = 0.0
                        var totalAtDeadline: Double?
                        var passage: Double? = remaining == 0 ? 0 : nil
                        // Walk in blocks to the deadline (and on, until the target if that comes sooner); past
                        // the deadline only the passage day is still unknown: the run continues at its own
                        // average pace.
                        while day < limit && (passage == nil || totalAtDeadline == nil) {
                            if totalAtDeadline != nil, passage == nil, day > 0 {
                                let pace = delivered / day
                                if pace > 0 { passage = day + ((remaining - delivered) / pace).rounded(.up) }
                                break
                            }
                            let bits = generator.next()
                            let index = picker.pick(bits)
                            let multiplier = jitter[Int(bits & JitterTable.mask)]
                            let rate = rates[index] * multiplier
                            let step = steps[index] * multiplier
                            let length = lengths[index]
                            if totalAtDeadline == nil, day + length >= horizon {
                                totalAtDeadline = delivered + rate * max(0, horizon - day)
                            }
                            if passage == nil, rate > 0, delivered + step >= remaining {
                                passage = day + ((remaining - delivered) / rate).rounded(.up)
                            }
                            delivered += step
                            day += length
                        }
                        totals[run] = input.delivered + (totalAtDeadline ?? delivered)
                        let first = passage ?? .infinity
                        passages[run] = first
                        if first <= horizon { onTime += 1 }
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
            method: "block_bootstrap",
            totalAtDeadline: Quantiles(p10: quantiles[2], p50: medianTotal, p90: quantiles[0]),
            probabilityOnTime: remaining == 0 ? 1 : Double(onTime) / Double(runs),
            completion: Quantiles(p10: date(passageDays[0]), p50: date(passageDays[1]), p90: date(passageDays[2])),
            rate: horizon > 0 ? max(0, (medianTotal - input.delivered) / horizon) : blocks.map(\.interval.rate).reduce(0, +) / Double(blocks.count))
    }
}
