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

    @Test("appendPlainText appends plainText's bytes, for values of every size and exponent")
    func appendsPlainText() async {
        let value = zip(Gen.bool, digits.string(of: 1...30), Gen.int(in: -22...22)).map { negative, digits, exponent in
            Decimal(sign: negative ? .minus : .plus, exponent: exponent, significand: Decimal(plainText: digits)!)
        }
        await propertyCheck(count: 1_000, input: value) { value in
            var bytes: [UInt8] = [UInt8(ascii: "x")]
            value.appendPlainText(to: &bytes)
            #expect(bytes == [UInt8(ascii: "x")] + Array(value.plainText.utf8), "\(value)")
            #expect(value.plainText == value.description, "\(value)")
        }
    }

    @Test("edges: zero at a scale, huge values, one unit in the last place")
    func edges() {
        for text in ["0", "0.00", "-0.50", "1e18", "9223372036854775807", "9223372036854775808", "0.000001", "123456789012345678901234567890", "1000000.10"] {
            let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
            #expect(value.plainText == value.description, "\(text)")
        }
        #expect(Decimal.nan.plainText == Decimal.nan.description)
        // Significands past 2^53 that a Double holds exactly take the digit-by-digit path, with 19 digits.
        // Around 2^53, where the significand stops coming out of a Double exactly: 2^53 + 1 does not.
        let edge: UInt64 = 1 << 53
        for value in [Decimal(UInt64(1) << 60), Decimal(UInt64(1) << 63), Decimal(sign: .minus, exponent: -18, significand: Decimal(UInt64(1) << 62)),
                      Decimal(edge - 1), Decimal(edge), Decimal(edge + 1), Decimal(sign: .minus, exponent: -7, significand: Decimal(edge + 3))] {
            #expect(value.plainText == value.description, "\(value)")
        }
        // Built with trailing zeros in the significand: printed without them, as `description` prints it.
        for (significand, exponent) in [(1500, -2), (1500, -6), (10, -1), (1500, 2), (0, -3), (120, -18), (7, 18)] {
            let value = Decimal(sign: .plus, exponent: exponent, significand: Decimal(significand))
            #expect(value.plainText == value.description, "\(significand)e\(exponent)")
        }
    }
}

@Suite("Decimal from plain text")
struct DecimalFromPlainTextTests {
    @Test("the value, exponent and text Foundation's parser gives, for every plain decimal up to 38 digits")
    func matchesFoundation() async {
        let text = zip(Gen.bool, Gen.int(in: 0...3), digits.string(of: 1...24), digits.string(of: 0...14)).map {
            negative, zeros, whole, fraction in
            (negative ? "-" : "") + String(repeating: "0", count: zeros) + whole + (fraction.isEmpty ? "" : "." + fraction)
        }
        await propertyCheck(count: 2_000, input: text) { text in
            let expected = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
            let value = Decimal(plainText: text)
            #expect(value == expected, "\(text)")
            #expect(value?.description == expected.description, "\(text)")
            #expect(value?.isSignMinus == expected.isSignMinus, "\(text)")
        }
    }

    @Test("38 significant digits are exact; leading zeros do not count; 39 are refused")
    func digitLimit() {
        let longest = String(repeating: "7", count: 38)
        var expected = Decimal(0)
        for _ in 0..<38 { expected = expected * 10 + 7 }
        #expect(Decimal(plainText: longest) == expected)
        #expect(Decimal(plainText: "0000" + longest) == expected)
        #expect(Decimal(plainText: "0." + longest) == Decimal(sign: .plus, exponent: -38, significand: expected))
        #expect(Decimal(plainText: longest + "7") == nil)
    }

    @Test("anything but an optional minus, digits and one point between digits is refused", arguments: [
        "", "-", ".", "5.", ".5", "-.5", "1.2.3", "+5", "1e5", "1,000", "1_000", " 1", "1 ", "--1", "NaN", "١٢٣", "0x10",
    ])
    func refuses(text: String) {
        #expect(Decimal(plainText: text) == nil)
    }

    @Test("trailing zeros go into the exponent; an exponent a Decimal cannot hold is refused; zero at any scale is zero")
    func exponents() {
        let oneE38 = Decimal(sign: .plus, exponent: 38, significand: 1)
        #expect(Decimal(plainText: "1" + String(repeating: "0", count: 38)) == oneE38)
        #expect(Decimal(plainText: "1" + String(repeating: "0", count: 38) + ".000") == oneE38)
        #expect(Decimal(plainText: "100.50")?.description == "100.5")
        #expect(Decimal(plainText: "0." + String(repeating: "0", count: 127) + "1") == Decimal(sign: .plus, exponent: -128, significand: 1))
        #expect(Decimal(plainText: "0." + String(repeating: "0", count: 130) + "1") == nil)
        #expect(Decimal(plainText: "1" + String(repeating: "0", count: 128)) == nil)
        #expect(Decimal(plainText: "0." + String(repeating: "0", count: 200)) == 0)
        // `description` of any value plainText falls back to reads back as that value.
        for value in [oneE38, Decimal(sign: .minus, exponent: 40, significand: 12345), Decimal(sign: .plus, exponent: -30, significand: 7)] {
            #expect(Decimal(plainText: value.description) == value, "\(value)")
        }
    }

    @Test("minus zero is zero")
    func minusZero() {
        #expect(Decimal(plainText: "-0.00") == 0)
        #expect(Decimal(plainText: "-0.00")?.isSignMinus == false)
    }
}
