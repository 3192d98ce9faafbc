import Foundation
import PledgeCore
import PropertyBased
import Testing

@Suite("figures as people read them")
struct FigureTests {
    @Test("whole numbers below 2^53 come back digit for digit, grouped in threes")
    func roundTrip() async {
        await propertyCheck(input: Gen.int(in: -9_007_199_254_740_991...9_007_199_254_740_991)) { n in
            let text = Figure.grouped(Double(n))
            #expect(text.replacingOccurrences(of: ",", with: "") == String(n))
            let groups = text.split(separator: Character(","))
            #expect(groups.dropFirst().allSatisfy { $0.count == 3 })
        }
    }

    @Test("huge, infinite and NaN projections render instead of trapping")
    func extremes() {
        #expect(Figure.grouped(1_000_000) == "1,000,000")
        #expect(Figure.grouped(-1234.5) == "-1,235")
        #expect(Figure.grouped(1e19) == "1.000e+19")
        #expect(Figure.grouped(-Double.greatestFiniteMagnitude).hasPrefix("-1.798e+308"))
        #expect(Figure.grouped(.infinity) == "n/a")
        #expect(Figure.grouped(.nan) == "n/a")
    }

    @Test("fixed places are printf's text: any double, ties, negative zero, the percentages of status reasons")
    func fixedIsPrintf() async {
        await propertyCheck(count: 3_000, input: SummaryFigureTests.value, Gen.int(in: 0...17)) { value, places in
            #expect(Figure.fixed(value, places: places) == String(format: "%.\(places)f", value), "\(value) to \(places)")
        }
        await propertyCheck(count: 2_000, input: Gen.int(in: -1_000_000...1_000_000), Gen.int(in: 0...12), Gen.int(in: 0...3)) { numerator, power, places in
            let value = Double(numerator) / Double(1 << power)
            #expect(Figure.fixed(value, places: places) == String(format: "%.\(places)f", value), "\(numerator)/2^\(power) to \(places)")
        }
        for (value, places, text) in [
            (0.125, 2, "0.12"), (0.375, 2, "0.38"), (2.5, 0, "2"), (3.5, 0, "4"), (-0.0, 1, "-0.0"), (-0.01, 1, "-0.0"),
            (5.97, 1, "6.0"), (0.0, 0, "0"), (100.0, 0, "100"), (1.005, 2, "1.00"), (.infinity, 1, "inf"), (.nan, 2, "nan"),
        ] {
            #expect(Figure.fixed(value, places: places) == text, "\(value) to \(places)")
        }
    }
}

@Suite("webhook timestamps")
struct TimestampTests {
    @Test("the direct RFC 3339 rendering equals ISO8601DateFormatter's for instants from 1970 to 2100")
    func matchesFormatter() async {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        await propertyCheck(count: 1000, input: Gen.int(in: 0...4_102_444_800_000)) { milliseconds in
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            #expect(WebhookPayload.timestamp(date) == formatter.string(from: date))
        }
        #expect(WebhookPayload.timestamp(Date(timeIntervalSince1970: 1_700_000_000)) == "2023-11-14T22:13:20Z")
    }
}
