import Foundation
import PropertyBased
import Testing

@testable import PledgeCore

/// Timelines sum their changes as integers when they fit: the totals must be the `Decimal` sums exactly,
/// down to their representation (which decides how they print).
@Suite("fixed-point timeline sums")
struct FixedDecimalTests {
    /// Units from small to near the 64-bit edge, scales 0–6, either sign.
    static let change = zip(Gen.int(in: 0...3), Gen.int64(in: 0...999_999), Gen.int(in: 0...6), Gen.bool).map { size, digits, scale, negative in
        let magnitude = [digits, digits * 1_000_000, digits * 1_000_000_000_000, 999_999_999_999_999_999 - digits][size]
        return FixedDecimal(units: negative ? -magnitude : magnitude, scale: scale)!
    }

    static func same(_ a: Decimal, _ b: Decimal) -> Bool {
        a == b && a.description == b.description && a.exponent == b.exponent && a.significand == b.significand
    }

    @Test("a fixed-point value is the Decimal its text parses to, in the same form")
    func decimal() async {
        await propertyCheck(count: 1_000, input: Self.change) { value in
            let magnitude = String(value.units.magnitude)
            let padded = String(repeating: "0", count: max(0, value.scale + 1 - magnitude.count)) + magnitude
            let text = (value.units < 0 ? "-" : "") + padded.dropLast(value.scale) + (value.scale > 0 ? "." + padded.suffix(value.scale) : "")
            let parsed = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
            #expect(Self.same(value.decimal, parsed), "\(text): \(value.decimal) against \(parsed)")
        }
    }

    /// Random days (repeated ones, days before the counting start and after the as-of date included) and
    /// changes of mixed scales, large enough that some sums overflow 64 bits and take the general path.
    @Test("timelines from fixed-point changes equal those from Decimal changes, point for point")
    func timelines() async {
        let days = Gen.int(in: -20...60).array(of: 0...40)
        let changes = Self.change.array(of: 40)
        await propertyCheck(count: 500, input: days, changes) { days, changes in
            let start = CalendarDate(iso: "2023-03-20")!
            let asOf = start.adding(days: 45)
            let fixed = zip(days, changes).map { (date: start.adding(days: $0), change: $1) }
            let viaFixed = Timeline(countsFrom: start, asOf: asOf, fixedChanges: fixed)
            let viaDecimal = Timeline(countsFrom: start, asOf: asOf, changes: fixed.map { ($0.date, $0.change.decimal) })
            #expect(viaFixed.points.count == viaDecimal.points.count)
            for (a, b) in zip(viaFixed.points, viaDecimal.points) {
                #expect(a.date == b.date && a.assumed == b.assumed && Self.same(a.cumulative, b.cumulative), "\(a) against \(b)")
            }
        }
    }

    @Test("scales outside 0–18 are refused; rescaling that would overflow is refused")
    func limits() {
        #expect(FixedDecimal(units: 1, scale: -1) == nil)
        #expect(FixedDecimal(units: 1, scale: 19) == nil)
        #expect(FixedDecimal(units: 922_337_203_685_477_581, scale: 0)!.units(atScale: 1) == nil)
        #expect(FixedDecimal(units: 922_337_203_685_477_580, scale: 0)!.units(atScale: 1) == 9_223_372_036_854_775_800)
        #expect(FixedDecimal(units: 92_233_720_368_547_758, scale: 2)!.units(atScale: 3) == 922_337_203_685_477_580)
        #expect(FixedDecimal(units: -1_500, scale: 2)!.decimal.description == "-15")
        #expect(FixedDecimal(units: 0, scale: 4)!.decimal.description == "0")
    }
}
