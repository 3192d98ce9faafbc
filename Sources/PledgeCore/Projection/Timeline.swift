import Foundation

/// The cumulative delivered series of one pledge, in its unit, corrections applied.
///
/// The first point is the assumed anchor: zero on the day deliveries start counting. Each further
/// point is a day with ledger activity and the cumulative total at the end of that day.
public struct Timeline: Sendable, Equatable, Codable {
    public struct Point: Sendable, Equatable, Codable {
        public let date: CalendarDate
        public let cumulative: Decimal
        /// True for the anchor, which nobody reported.
        public let assumed: Bool

        public init(date: CalendarDate, cumulative: Decimal, assumed: Bool) {
            self.date = date
            self.cumulative = cumulative
            self.assumed = assumed
        }
    }

    public let points: [Point]

    /// Builds the series from dated changes — a ledger's entries, several on one day or not — anchored at
    /// `countsFrom`: a point per day, its total at the end of the day. Days before `countsFrom` are folded
    /// into the anchor day; days after `asOf` are ignored.
    /// The anchor is zero at the start of `countsFrom`; when something is delivered on that very day, the
    /// anchor is dated the day before (the end of which is the same instant), so that first delivery is an
    /// interval of one day that the rate models see, not a zero-day step they would have to drop.
    public init(countsFrom: CalendarDate, asOf: CalendarDate, changes: [(date: CalendarDate, change: Decimal)]) {
        var total = Decimal(0)
        let totals = changes.filter { $0.date <= asOf }.sorted(by: { $0.date < $1.date }).map { day in
            total += day.change
            return (day.date, total)
        }
        self.init(countsFrom: countsFrom, runningTotals: totals)
    }

    /// The same from changes in fixed point (as the server's numeric text is read): the running totals
    /// are integer sums at the largest scale among the changes — the same values, in the same compact
    /// form, as `Decimal`'s — and go through `Decimal` only should they not fit in 64 bits.
    public init(countsFrom: CalendarDate, asOf: CalendarDate, fixedChanges: [(date: CalendarDate, change: FixedDecimal)]) {
        let changes = fixedChanges.filter { $0.date <= asOf }.sorted(by: { $0.date < $1.date })
        let scale = changes.map(\.change.scale).max() ?? 0
        var total: Int64 = 0
        var totals: [(date: CalendarDate, total: Decimal)] = []
        totals.reserveCapacity(changes.count)
        for (date, change) in changes {
            guard let units = change.units(atScale: scale), case let (sum, false) = total.addingReportingOverflow(units),
                let running = FixedDecimal(units: sum, scale: scale)
            else {
                self.init(countsFrom: countsFrom, asOf: asOf, changes: changes.map { ($0.date, $0.change.decimal) })
                return
            }
            total = sum
            totals.append((date, running.decimal))
        }
        self.init(countsFrom: countsFrom, runningTotals: totals)
    }

    /// The points from each day's running total, in date order.
    private init(countsFrom: CalendarDate, runningTotals: [(date: CalendarDate, total: Decimal)]) {
        let deliveredOnFirstDay = runningTotals.first.map { $0.date <= countsFrom } ?? false
        var points = [Point(date: deliveredOnFirstDay ? countsFrom.adding(days: -1) : countsFrom, cumulative: 0, assumed: true)]
        for (date, total) in runningTotals {
            let day = max(date, countsFrom)
            if day == points[points.count - 1].date, points.count > 1 {
                points[points.count - 1] = Point(date: day, cumulative: total, assumed: false)
            } else {
                points.append(Point(date: day, cumulative: total, assumed: false))
            }
        }
        self.points = points
    }

    public init(points: [Point]) { self.points = points }

    /// The total delivered at the end of the series.
    public var delivered: Decimal { points.last?.cumulative ?? 0 }

    /// How many points were reported (the assumed anchor excluded).
    public var observationCount: Int { points.reduce(0) { $1.assumed ? $0 : $0 + 1 } }

    /// Intervals between consecutive points, anchor included. The increments are differences of the
    /// cumulative totals as `Double`s (for the projections): one conversion per point rather than a
    /// `Decimal` subtraction per interval, exact for whole quantities up to 2^53.
    public var intervals: [Interval] {
        let totals = points.map { $0.cumulative.doubleValue }
        return points.indices.dropFirst().compactMap { index in
            let (start, end) = (points[index - 1], points[index])
            let days = start.date.days(until: end.date)
            guard days > 0 else { return nil }
            return Interval(start: start.date, end: end.date, days: days, increment: totals[index] - totals[index - 1])
        }
    }

    /// The last day on which the cumulative total rose.
    public var lastIncrease: CalendarDate? {
        Array(zip(points, points.dropFirst())).last { $1.cumulative > $0.cumulative }?.1.date
    }

    public struct Interval: Sendable, Equatable {
        public let start: CalendarDate
        public let end: CalendarDate
        public let days: Int
        public let increment: Double
        public var rate: Double { increment / Double(days) }
    }
}

extension Decimal {
    /// For projections only: quantities themselves stay `Decimal`.
    public var doubleValue: Double { NSDecimalNumber(decimal: self).doubleValue }
}
