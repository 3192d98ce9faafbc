import Foundation
import PropertyBased
import Testing

@testable import PledgeCore

/// Theil–Sen's pairwise slopes: the loop for ascending days (every ledger timeline) writes exactly what
/// the general loop, which tests each pair's days, appends.
@Suite("Theil–Sen slopes")
struct TheilSenSlopesTests {
    /// Every pair j > i with a later day, in that order: the definition, written plainly.
    static func reference(_ timeline: Timeline) -> [Double] {
        let points = timeline.points
        var slopes: [Double] = []
        for i in points.indices {
            for j in points.indices where j > i && points[j].date > points[i].date {
                let rise = points[j].cumulative.doubleValue - points[i].cumulative.doubleValue
                slopes.append(rise / Double(points[i].date.days(until: points[j].date)))
            }
        }
        return slopes
    }

    static let start = CalendarDate(iso: "2023-03-20")!

    @Test("ledger timelines (ascending days, corrections included): the same slopes in the same order")
    func ascending() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...40).array(of: 0...60), Gen.int(in: -5_000...200_000).array(of: 60)) { gaps, changes in
            var day = Self.start
            var entries: [(date: CalendarDate, change: Decimal)] = []
            for (gap, change) in zip(gaps, changes) {
                day = day.adding(days: gap)
                entries.append((day, Decimal(change) / 4))
            }
            let timeline = Timeline(countsFrom: Self.start, asOf: day, changes: entries)
            #expect(TheilSen().unsortedSlopes(timeline) == Self.reference(timeline), "\(gaps) \(changes)")
        }
    }

    @Test("points in any order, days repeated: the pairs with a later day only, as before")
    func anyOrder() async {
        await propertyCheck(count: 300, input: Gen.int(in: -30...30).array(of: 0...40), Gen.int(in: 0...100_000).array(of: 40)) { offsets, totals in
            let points = zip(offsets, totals).map { offset, total in
                Timeline.Point(date: Self.start.adding(days: offset), cumulative: Decimal(total), assumed: false)
            }
            let timeline = Timeline(points: points)
            #expect(TheilSen().unsortedSlopes(timeline) == Self.reference(timeline), "\(offsets) \(totals)")
        }
    }
}
