import Foundation
import PledgeCore
import PropertyBased
import Testing

/// The burn-up a dashboard entry draws: a bounded choice of the timeline's own points.
@Suite("burn-up")
struct BurnUpTests {
    static let start = CalendarDate(iso: "2023-03-20")!

    /// A timeline from gaps between busy days and their (possibly negative: voids) changes.
    static func timeline(gaps: [Int], changes: [Int]) -> Timeline {
        var day = start
        return Timeline(
            countsFrom: start, asOf: start.adding(days: 100_000),
            changes: zip(gaps, changes).map { gap, change in
                day = day.adding(days: gap)
                return (day, Decimal(change))
            })
    }

    static let gaps = Gen.int(in: 1...40).array(of: 0...200)
    static let changes = Gen.int(in: -5_000...200_000).array(of: 200)

    @Test("at most the limit, every point one of the timeline's in its order, the anchor, the first reported point and the latest total always kept")
    func boundedSubset() async {
        await propertyCheck(input: Self.gaps, Self.changes, Gen.int(in: 2...40)) { gaps, changes, limit in
            let points = Self.timeline(gaps: gaps, changes: changes).points
            let kept = BurnUp.points(points, limit: limit)
            #expect(kept.count <= limit)
            #expect(kept.count == min(points.count, limit), "as many as allowed")
            #expect(kept.first == points.first && kept.last == points.last)
            if points.count > 1, limit > 2 { #expect(kept[1] == points[1], "the first reported point: when deliveries began") }
            // A subsequence: each kept point is found, in order, among the timeline's.
            var rest = points[...]
            for point in kept {
                guard let index = rest.firstIndex(of: point) else {
                    Issue.record("\(point) is not one of the timeline's points, after the ones before it")
                    return
                }
                rest = rest[(index + 1)...]
            }
            #expect(BurnUp.points(kept, limit: limit) == kept, "a burn-up is its own burn-up")
        }
    }

    @Test("a timeline of the limit or fewer points is kept whole")
    func short() async {
        await propertyCheck(input: Gen.int(in: 1...40).array(of: 0...23), Self.changes) { gaps, changes in
            let points = Self.timeline(gaps: gaps, changes: changes).points
            #expect(points.count <= BurnUp.limit)
            #expect(BurnUp.points(points) == points)
        }
    }

    @Test("the kept points are spread over the points: the first reported, then the last of each equal run; a burst drawn in detail")
    func spread() {
        // A busy day every day for a year: 366 points, the anchor included.
        let points = Self.timeline(gaps: Array(repeating: 1, count: 365), changes: Array(repeating: 10, count: 365)).points
        let kept = BurnUp.points(points, limit: 14)
        #expect(kept.count == 14)
        let days = kept.map { $0.date.daysSinceEpoch - Self.start.daysSinceEpoch }
        // The anchor, the first day, the last of each of 11 runs of the 363 points between, the last day.
        #expect(days == [0, 1, 34, 67, 100, 133, 166, 199, 232, 265, 298, 331, 364, 365])
        #expect(kept.map(\.cumulative) == days.map { Decimal($0 * 10) })
        // A quiet year, then forty busy days: the anchor, the first delivery a year on, and the burst in detail.
        let burst = Self.timeline(gaps: [365] + Array(repeating: 1, count: 40), changes: Array(repeating: 10, count: 41)).points
        let drawn = BurnUp.points(burst, limit: 14)
        #expect(drawn.count == 14)
        #expect(drawn[0].date == Self.start && drawn[1].date == Self.start.adding(days: 365) && drawn[1].cumulative == 10)
        #expect(drawn.dropFirst(2).allSatisfy { $0.date > Self.start.adding(days: 365) })
    }
}
