import Foundation
import PropertyBased
import Testing

@testable import PledgeCore

/// The bootstrap's pilot: when the first `bootstrapPilotRuns` runs all agree — all on time, or none — the
/// walk stops there, and the projection is exactly what those runs alone give; any disagreement and it is
/// exactly what all the runs give.
@Suite("block bootstrap pilot")
struct BootstrapPilotTests {
    static let start = CalendarDate(iso: "2023-03-20")!

    /// A history of `gaps` (days) and `increments`, evaluated on its last report's day.
    static func input(
        gaps: [Int], increments: [Int], target: Decimal, deadlineAfter: Int, runs: Int = 2000, pilot: Int = 500
    ) -> ProjectionInput {
        var day = start
        var changes: [(date: CalendarDate, change: Decimal)] = []
        for (gap, increment) in zip(gaps, increments) {
            day = day.adding(days: gap)
            changes.append((day, Decimal(increment)))
        }
        var settings = ProjectionSettings()
        settings.bootstrapRuns = runs
        settings.bootstrapPilotRuns = pilot
        return ProjectionInput(
            timeline: Timeline(countsFrom: start, asOf: day, changes: changes), target: target,
            deadline: day.adding(days: deadlineAfter), asOf: day, settings: settings)
    }

    /// The same input with other run settings.
    static func with(_ input: ProjectionInput, runs: Int, pilot: Int) -> ProjectionInput {
        var settings = input.settings
        settings.bootstrapRuns = runs
        settings.bootstrapPilotRuns = pilot
        return ProjectionInput(timeline: input.timeline, target: input.target, deadline: input.deadline, asOf: input.asOf, settings: settings)
    }

    static let steady = (gaps: [30, 30, 30, 30, 30, 30], increments: [10_000, 12_000, 9_000, 11_000, 10_000, 8_000])

    @Test(
        "a settled question: the 500 pilot runs agree, and the figures are exactly those of 500 runs",
        arguments: [
            (target: Decimal(10_000_000), deadlineAfter: 90, probability: 0.0),  // out of reach
            (target: Decimal(61_000), deadlineAfter: 300, probability: 1.0),  // as good as reached
        ])
    func settled(target: Decimal, deadlineAfter: Int, probability: Double) {
        let input = Self.input(gaps: Self.steady.gaps, increments: Self.steady.increments, target: target, deadlineAfter: deadlineAfter)
        let projection = BlockBootstrap().project(input)
        #expect(projection.probabilityOnTime == probability)
        #expect(projection == BlockBootstrap().project(Self.with(input, runs: 500, pilot: 0)))
        // All 2,000 runs give other quantiles: the pilot did stop the walk.
        #expect(projection != BlockBootstrap().project(Self.with(input, runs: 2000, pilot: 0)))
    }

    @Test("a pilot below 100 runs counts as 100, as the runs do: a handful agreeing settles nothing")
    func pilotAtLeastHundred() {
        let input = Self.input(gaps: Self.steady.gaps, increments: Self.steady.increments, target: 10_000_000, deadlineAfter: 90)
        #expect(BlockBootstrap().project(Self.with(input, runs: 2000, pilot: 1)) == BlockBootstrap().project(Self.with(input, runs: 2000, pilot: 100)))
        #expect(BlockBootstrap().project(Self.with(input, runs: 2000, pilot: 1)) == BlockBootstrap().project(Self.with(input, runs: 100, pilot: 0)))
    }

    @Test("an open question runs every run: the same projection as without a pilot")
    func openQuestion() {
        // 60,000 delivered at about 330 a day; 40,000 more in 120 days needs about that pace.
        let input = Self.input(gaps: Self.steady.gaps, increments: Self.steady.increments, target: 100_000, deadlineAfter: 120)
        let projection = BlockBootstrap().project(input)
        let p = try! #require(projection.probabilityOnTime)
        #expect(p > 0.05 && p < 0.95, "\(p)")
        #expect(projection == BlockBootstrap().project(Self.with(input, runs: 2000, pilot: 0)))
    }

    @Test("any history: the pilot's projection if its runs agree, else all the runs'")
    func pilotOrAll() async {
        await propertyCheck(
            count: 120, input: Gen.int(in: 1...60).array(of: 5...20), Gen.int(in: 0...5_000).array(of: 20),
            Gen.int(in: 1...400), Gen.int(in: 1...40), Gen.int(in: 100...400)
        ) { gaps, increments, deadlineAfter, targetFactor, pilot in
            let delivered = increments.prefix(gaps.count).reduce(0, +)
            let input = Self.input(
                gaps: gaps, increments: increments, target: Decimal(max(1, delivered * targetFactor / 10)),
                deadlineAfter: deadlineAfter, runs: 800, pilot: pilot)
            let pilotOnly = BlockBootstrap().project(Self.with(input, runs: pilot, pilot: 0))
            let all = BlockBootstrap().project(Self.with(input, runs: 800, pilot: 0))
            let agreed = pilotOnly.probabilityOnTime == 0 || pilotOnly.probabilityOnTime == 1
            #expect(BlockBootstrap().project(input) == (agreed ? pilotOnly : all))
        }
    }
}
