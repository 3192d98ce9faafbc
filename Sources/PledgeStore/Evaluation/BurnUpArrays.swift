import Foundation
import PledgeCore
import Postgres

/// A burn-up as an assessment row keeps it (migration 0010): two arrays, in text form both ways.
/// `burnup_days`: each point's day as days since 1970-01-01, times two, plus one for the assumed anchor;
/// `burnup_totals`: each point's cumulative total.
enum BurnUpArrays {
    // Written into one buffer each, not through a string per element: an evaluation writes 240,000 of
    // them at the benchmark's medium scale, on the cores that assess.
    static func days(_ points: [Timeline.Point]) -> String {
        array(points) { point, bytes in
            let mark = point.date.daysSinceEpoch &* 2 &+ (point.assumed ? 1 : 0)
            bytes.append(contentsOf: mark.description.utf8)
        }
    }

    static func totals(_ points: [Timeline.Point]) -> String {
        array(points) { point, bytes in point.cumulative.appendPlainText(to: &bytes) }
    }

    private static func array(_ points: [Timeline.Point], _ element: (Timeline.Point, inout [UInt8]) -> Void) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(16 * points.count + 2)
        for (index, point) in points.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(point, &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The points two arrays read as text give; `pledge` names the pledge in errors.
    static func points(days: String, totals: String, pledge: String) throws -> [Timeline.Point] {
        func invalid(_ what: String, _ element: UnsafeBufferPointer<UInt8>) -> PostgresError {
            PostgresError(
                code: .decoding, message: "the burn-up of \(pledge) has the \(what) \"\(String(decoding: element, as: UTF8.self))\"")
        }
        var marks: [Int] = []
        try TimelineBatch.forEachElement(of: days) { element in
            guard let (number, fraction, negative) = Decimal.plainParts(utf8: element), fraction == 0, number < 100_000_000_000 else {
                throw invalid("day", element)
            }
            marks.append(negative ? -Int(number) : Int(number))
        }
        var points: [Timeline.Point] = []
        points.reserveCapacity(marks.count)
        try TimelineBatch.forEachElement(of: totals) { element in
            guard points.count < marks.count else { throw invalid("total", element) }
            let total: Decimal
            if let fixed = FixedDecimal(postgresUTF8: element) {
                total = fixed.decimal
            } else if let decimal = Decimal(postgresUTF8: element) {
                total = decimal
            } else {
                throw invalid("total", element)
            }
            let mark = marks[points.count]
            points.append(Timeline.Point(date: CalendarDate(daysSinceEpoch: mark >> 1), cumulative: total, assumed: mark & 1 == 1))
        }
        guard points.count == marks.count else {
            throw PostgresError(code: .decoding, message: "the burn-up of \(pledge) has \(marks.count) days but \(points.count) totals")
        }
        return points
    }
}
