import Foundation
import PropertyBased
import Testing

@testable import PledgeCore

/// The bootstrap's building blocks: selection instead of sorting, the alias table, the jitter table.
@Suite("sampling and order statistics")
struct SamplingTests {
    static let values = Gen.int(in: -50...50).map(Double.init).array(of: 1...300)

    /// The reference: linear interpolation between the sorted values around q·(n−1).
    static func quantile(sorted values: [Double], _ q: Double) -> Double {
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        return values[lower] + (values[upper] - values[lower]) * (position - Double(lower))
    }

    @Test("selected quantiles equal the quantiles of the sorted values, duplicates and all")
    func quantilesBySelection() async {
        await propertyCheck(input: Self.values) { values in
            var scratch = values
            let selected = Statistics.quantiles(of: &scratch, [0.1, 0.5, 0.9])
            let sorted = values.sorted()
            #expect(selected == [0.1, 0.5, 0.9].map { Self.quantile(sorted: sorted, $0) })
            #expect(scratch.sorted() == sorted, "selection only reorders")
        }
    }

    /// Long enough for the sampled pivot (600 values and more), in one of five shapes: random, few
    /// distinct, ascending, descending, or in sorted runs (as pairwise slopes come).
    static func shaped(_ numbers: [Int], _ shape: Int) -> [Double] {
        let values = numbers.map(Double.init)
        switch shape {
        case 0: return values
        case 1: return values.map { Double(Int($0) % 3) }
        case 2: return values.sorted()
        case 3: return values.sorted(by: >)
        default: return stride(from: 0, to: values.count, by: 50).flatMap { values[$0..<min($0 + 50, values.count)].sorted() }
        }
    }

    @Test("long samples: quantiles and any ranks equal the sorted values'")
    func longSamples() async {
        await propertyCheck(
            count: 60, input: Gen.int(in: 0...4), Gen.int(in: -1_000_000...1_000_000).array(of: 600...5_000),
            Gen.int(in: 0...4_999).array(of: 1...7)
        ) { shape, numbers, picks in
            let values = Self.shaped(numbers, shape)
            let sorted = values.sorted()
            var scratch = values
            #expect(Statistics.quantiles(of: &scratch, [0.1, 0.5, 0.9]) == [0.1, 0.5, 0.9].map { Self.quantile(sorted: sorted, $0) })
            #expect(scratch.sorted() == sorted, "selection only reorders")
            let ranks = Array(Set(picks.map { $0 % values.count })).sorted()
            scratch = values
            #expect(Statistics.orderStatistics(of: &scratch, ranks: ranks) == ranks.map { sorted[$0] })
        }
    }

    @Test("order statistics at any ascending ranks equal the sorted values at those ranks")
    func orderStatistics() async {
        await propertyCheck(input: Self.values, Gen.int(in: 0...299).array(of: 1...6)) { values, picks in
            let ranks = picks.map { $0 % values.count }.sorted()
            var scratch = values
            #expect(Statistics.orderStatistics(of: &scratch, ranks: ranks) == ranks.map { values.sorted()[$0] })
        }
    }

    @Test("the alias table draws each index in proportion to its weight; a zero weight is never drawn")
    func aliasTable() {
        let weights: [Double] = [5, 0, 1, 3, 0.5, 0.5]
        let table = AliasTable(weights: weights)
        var generator = SeededGenerator(seed: 42)
        var counts = [Int](repeating: 0, count: weights.count)
        let draws = 200_000
        for _ in 0..<draws { counts[table.pick(generator.next())] += 1 }
        #expect(counts[1] == 0)
        for (index, weight) in weights.enumerated() {
            let share = Double(counts[index]) / Double(draws)
            #expect(abs(share - weight / 10) < 0.005, "index \(index): \(share) vs \(weight / 10)")
        }
    }

    @Test("the inlined draws give, for any 64-bit word, the block the alias table picks")
    func inlinedDraws() async {
        await propertyCheck(input: Gen.int(in: 0...20).map(Double.init).array(of: 1...12), Gen.uint64().array(of: 200)) { weights, words in
            guard weights.reduce(0, +) > 0 else { return }
            let table = AliasTable(weights: weights)
            let rates = weights.indices.map { Double($0) * 10 + 1 }
            let lengths = weights.indices.map { Double($0) + 0.5 }
            let draws = BlockDraws(picker: table, rates: rates, lengths: lengths)
            for word in words {
                let picked = table.pick(word)
                let drawn = draws.draw(word)
                #expect(picked < weights.count && weights[picked] > 0)
                #expect(drawn.rate == rates[picked] && drawn.length == lengths[picked])
                #expect(drawn.step == rates[picked] * lengths[picked])
            }
        }
    }

    @Test("the alias table gives each index exactly its share of the weight, up to the coin's resolution; zero weights none")
    func aliasTableMass() async {
        await propertyCheck(input: Gen.int(in: 0...1_000).map { Double($0) / 7 }.array(of: 1...70)) { weights in
            let total = weights.reduce(0, +)
            guard total > 0 else { return }
            let table = AliasTable(weights: weights)
            // Every column is equally likely; within it, the coin (one of 2²² values) keeps the column's own
            // index below the threshold and gives the alias above it.
            let columns = Double(table.threshold.count)
            let coins = Double(1 << AliasTable.coinBits)
            var mass = [Double](repeating: 0, count: table.threshold.count)
            for column in table.threshold.indices {
                let own = Double(table.threshold[column]) / coins
                mass[column] += own / columns
                mass[table.alias[column]] += (1 - own) / columns
            }
            #expect(table.threshold.count.nonzeroBitCount == 1 && table.threshold.count >= weights.count)
            for index in mass.indices {
                let expected = index < weights.count ? weights[index] / total : 0
                if expected == 0 {
                    #expect(mass[index] == 0, "index \(index) weighs nothing but has mass \(mass[index])")
                } else {
                    #expect(abs(mass[index] - expected) <= 2 / coins, "index \(index): \(mass[index]) vs \(expected)")
                }
            }
        }
    }

    @Test("a NaN among the samples (whose order is undefined) ends the selection all the same, every value kept")
    func notANumber() {
        // Long ones too, where the pivot comes from a sample (NaN in it, around it, or everywhere).
        let long = (0..<2_000).map { Double(($0 * 7_919) % 2_003) }
        let longCases: [[Double]] = [
            long.enumerated().map { $0.offset % 5 == 0 ? .nan : $0.element }, long.map { _ in .nan },
            long.enumerated().map { (900..<1_100).contains($0.offset) ? .nan : $0.element },
        ]
        for values in [[Double.nan, 1, .nan, 2, 3], [2, .nan, .nan], [.nan, .nan, .nan, .nan], [5, 4, .nan, 3, 2, 1, .nan, 0]] + longCases {
            var scratch = values
            let ranks = values.count > 100 ? [0, 199, 200, 999, 1_000, 1_799, 1_800, 1_999] : Array(values.indices)
            let found = Statistics.orderStatistics(of: &scratch, ranks: ranks)
            #expect(found.count == ranks.count)
            #expect(scratch.filter(\.isNaN).count == values.filter(\.isNaN).count)
            #expect(scratch.filter { !$0.isNaN }.sorted() == values.filter { !$0.isNaN }.sorted())
        }
    }

    @Test("adjacent ranks (an interpolated quantile's two neighbours) are the sorted values at those ranks")
    func adjacentRanks() async {
        await propertyCheck(input: Self.values, Gen.int(in: 0...299).array(of: 1...3)) { values, picks in
            let ranks = Array(Set(picks.flatMap { [$0 % values.count, min($0 % values.count + 1, values.count - 1)] })).sorted()
            var scratch = values
            #expect(Statistics.orderStatistics(of: &scratch, ranks: ranks) == ranks.map { values.sorted()[$0] })
        }
    }

    @Test("the jitter table is the standard normal's strata: symmetric, known quantiles, mean 0 and variance ≈ 1")
    func jitterTable() {
        #expect(abs(JitterTable.inverseNormal(0.975) - 1.959963985) < 1e-8)
        #expect(abs(JitterTable.inverseNormal(0.5)) < 1e-12)
        #expect(abs(JitterTable.inverseNormal(0.001) + 3.090232306) < 1e-8)
        let z = JitterTable.normalQuantiles
        #expect(z.count == 1024)
        #expect(zip(z, z.dropFirst()).allSatisfy { $0 < $1 })
        #expect(zip(z, z.reversed()).allSatisfy { abs($0 + $1) < 1e-9 })
        let mean = z.reduce(0, +) / Double(z.count)
        let variance = z.reduce(0) { $0 + $1 * $1 } / Double(z.count)
        #expect(abs(mean) < 1e-9)
        #expect(abs(variance - 1) < 0.01)
        #expect(JitterTable.multipliers(sigma: 0.25) == z.map { exp(0.25 * $0) })
    }
}
