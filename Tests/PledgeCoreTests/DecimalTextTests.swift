import Foundation
import PledgeCore
import PropertyBased
import Testing

private let digits = Gen<Character?>.element(of: Array("0123456789")).map { $0 ?? "0" }

@Suite("Decimal plain text")
struct DecimalTextTests {
    @Test("plainText is description, for parsed values, sums, differences and products of any scale")
    func matchesDescription() async {
        let text = zip(Gen.bool, digits.string(of: 1...22), digits.string(of: 0...8)).map { negative, whole, fraction in
            (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
        }
        await propertyCheck(count: 1_000, input: text, text) { a, b in
            let x = Decimal(string: a, locale: Locale(identifier: "en_US_POSIX"))!
            let y = Decimal(string: b, locale: Locale(identifier: "en_US_POSIX"))!
            for value in [x, y, x + y, x - y, x * y, x - x] {
                #expect(value.plainText == value.description, "\(a) \(b)")
            }
        }
    }

    @Test("edges: zero at a scale, huge values, one unit in the last place")
    func edges() {
        for text in ["0", "0.00", "-0.50", "1e18", "9223372036854775807", "9223372036854775808", "0.000001", "123456789012345678901234567890", "1000000.10"] {
            let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
            #expect(value.plainText == value.description, "\(text)")
        }
        #expect(Decimal.nan.plainText == Decimal.nan.description)
    }
}
