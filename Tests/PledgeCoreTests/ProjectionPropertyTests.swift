import Foundation
import PledgeCore
import PropertyBased
import Testing

/// Properties every forecast must keep, over random irregular histories.
@Suite("projection properties")
struct ProjectionPropertyTests {
    static let start = CalendarDate(iso: "2023-03-20")!

    /// A random history: report gaps in days and increments (some zero), evaluated after the last report.
    static func history(gaps: [Int], increments: [Int]) -> (Timeline, CalendarDate) {
        var day = start
        var changes: [(date: CalendarDate, change: Decimal)] = []
        for (gap, increment) in zip(gaps, increments) {
            day = day.adding(days: gap)
            changes.append((day, Decimal(increment)))
        }
        return (Timeline(countsFrom: start, asOf: day, changes: changes), day)
    }

    static func input(_ timeline: Timeline, asOf: CalendarDate, target: Decimal = 1_000_000, deadlineAfter: Int = 200) -> ProjectionInput {
        ProjectionInput(timeline: timeline, target: target, deadline: asOf.adding(days: deadlineAfter), asOf: asOf)
    }

    static let gaps = Gen.int(in: 5...120).array(of: 1...8)
    static let increments = Gen.int(in: 0...200_000).array(of: 8)

    static func methods(for intervals: Int) -> [any ProjectionMethod] {
        intervals >= 5 ? [LogRateModel(), BlockBootstrap()] : [LogRateModel()]
    }

    @Test("P(on time) stays within [0, 1], and quantiles are ordered: higher confidence, smaller quantity and later date")
    func boundsAndOrdering() async {
        await propertyCheck(input: Self.gaps, Self.increments) { gaps, increments in
            let (timeline, asOf) = Self.history(gaps: gaps, increments: increments)
            for method in Self.methods(for: timeline.intervals.count) + [TheilSen()] {
                let projection = method.project(Self.input(timeline, asOf: asOf))
                if let p = projection.probabilityOnTime { #expect((0...1).contains(p), "\(method.name)") }
                #expect(projection.totalAtDeadline.p90 <= projection.totalAtDeadline.p50 + 1e-6, "\(method.name)")
                #expect(projection.totalAtDeadline.p50 <= projection.totalAtDeadline.p10 + 1e-6, "\(method.name)")
                let dates = [projection.completion.p10, projection.completion.p50, projection.completion.p90]
                    .map { $0?.daysSinceEpoch ?? Int.max }
                #expect(dates[0] <= dates[1] && dates[1] <= dates[2], "\(method.name): \(dates)")
            }
        }
    }

    @Test("more delivered never lowers P(on time)")
    func moreDeliveredNeverLowers() async {
        await propertyCheck(input: Self.gaps, Self.increments, Gen.int(in: 1...300_000)) { gaps, increments, extra in
            let (timeline, asOf) = Self.history(gaps: gaps, increments: increments)
            var more = increments
            more[min(gaps.count, more.count) - 1] += extra
            let (richer, _) = Self.history(gaps: gaps, increments: more)
            for method in Self.methods(for: timeline.intervals.count) {
                let base = method.project(Self.input(timeline, asOf: asOf)).probabilityOnTime ?? 0
                let better = method.project(Self.input(richer, asOf: asOf)).probabilityOnTime ?? 0
                #expect(better >= base - 1e-9, "\(method.name): \(base) → \(better)")
            }
        }
    }

    @Test("a later deadline never lowers P(on time)")
    func laterDeadlineNeverLowers() async {
        await propertyCheck(input: Self.gaps, Self.increments, Gen.int(in: 1...400)) { gaps, increments, extraDays in
            let (timeline, asOf) = Self.history(gaps: gaps, increments: increments)
            for method in Self.methods(for: timeline.intervals.count) {
                let base = method.project(Self.input(timeline, asOf: asOf, deadlineAfter: 100)).probabilityOnTime ?? 0
                let later = method.project(Self.input(timeline, asOf: asOf, deadlineAfter: 100 + extraDays)).probabilityOnTime ?? 0
                #expect(later >= base - 1e-9, "\(method.name): \(base) → \(later)")
            }
        }
    }

    @Test("a fixed seed gives identical output")
    func reproducible() async {
        await propertyCheck(count: 20, input: Gen.int(in: 5...60).array(of: 6...8), Self.increments) { gaps, increments in
            let (timeline, asOf) = Self.history(gaps: gaps, increments: increments)
            let first = BlockBootstrap().project(Self.input(timeline, asOf: asOf))
            let second = BlockBootstrap().project(Self.input(timeline, asOf: asOf))
            #expect(first == second)
        }
    }

    @Test("Student's t: the CDF and the quantile invert each other, and match known values")
    func studentT() {
        let t = StudentT(degreesOfFreedom: 4)
        #expect(abs(t.cdf(2.132) - 0.95) < 0.001)
        #expect(abs(StudentT(degreesOfFreedom: 2).cdf(1.976) - (0.5 + 0.5 * 1.976 / (1.976 * 1.976 + 2).squareRoot())) < 1e-9)
        for p in [0.01, 0.1, 0.5, 0.9, 0.99] { #expect(abs(t.cdf(t.quantile(p)) - p) < 1e-7) }
        #expect(t.cdf(0) == 0.5)
    }
}
