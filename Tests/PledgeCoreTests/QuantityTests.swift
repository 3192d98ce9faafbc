import Foundation
import PledgeCore
import PropertyBased
import Testing

@Suite("Quantity")
struct QuantityTests {
    @Test(
        "plain, grouped and decimal quantities parse exactly",
        arguments: [
            ("1000000", 0, "1000000", 0), ("1,000,000", 0, "1000000", 0), ("1_000", 0, "1000", 0),
            ("300000.50", 2, "30000050", 2), ("  42  ", 0, "42", 0), ("0.000001", 6, "1", 6), ("007", 0, "7", 0),
            ("12,345.67", 2, "1234567", 2), ("1.5", 2, "15", 1),
        ])
    func parsesExactly(text: String, scale: Int, digits: String, decimals: Int) throws {
        #expect(try Quantity.parsePositive(text, field: "target", scale: scale) == exactDecimal(digits: digits, decimals: decimals))
    }

    @Test("zero parses as a quantity but is refused where a positive one is required")
    func zero() throws {
        #expect(try Quantity.parse("0", field: "rate", scale: 2) == 0)
        #expect(try Quantity.parse("0.00", field: "rate", scale: 2) == 0)
        let refused = try #require(refusal { try Quantity.parsePositive("0", field: "target", scale: 0) })
        #expect(refused.field == "target")
        #expect(refused.expected == "a quantity greater than zero")
        #expect(refusal { try Quantity.parsePositive("0.00", field: "target", scale: 2) }?.field == "target")
    }

    @Test("a negative quantity is refused with a pointer to corrections")
    func negative() throws {
        let refused = try #require(refusal { try Quantity.parsePositive("-5", field: "quantity", scale: 0) })
        #expect(refused.field == "quantity")
        #expect(refused.value == "-5")
        #expect(refused.expected.contains("corrections"))
    }

    @Test(
        "anything that is not a plain decimal is refused",
        arguments: [
            "abc", "1e5", "1E5", "", "   ", ".5", "5.", "1.2.3", "+5", "0x10", "1 000", "١٢٣", "½", "NaN", "inf", "1..5",
            "1.-5", "--1", "1/2", "1,000.5.0",
        ])
    func refusesNonNumbers(text: String) throws {
        let refused = try #require(refusal { try Quantity.parse(text, field: "quantity", scale: 6) })
        #expect(refused.field == "quantity")
        #expect(refused.value == text)
    }

    @Test(
        "a comma that does not separate groups of three digits is refused, not read as a thousands separator",
        arguments: ["1,5", "1250,50", "1,0000", ",100", "100,", "1,,000", "1.000,5", "1,00,000", "1000,000"])
    func refusesDecimalComma(text: String) throws {
        let refused = try #require(refusal { try Quantity.parse(text, field: "quantity", scale: 6) })
        #expect(refused.field == "quantity")
        #expect(refused.value == text)
        #expect(refused.expected.contains("groups of three digits"))
    }

    @Test("more decimal places than the unit allows are refused, naming the unit's limit")
    func tooManyDecimals() throws {
        let whole = try #require(refusal { try Quantity.parsePositive("1.5", field: "target", scale: 0) })
        #expect(whole.expected == "a whole number for this unit")
        let cents = try #require(refusal { try Quantity.parsePositive("300000.505", field: "target", scale: 2) })
        #expect(cents.expected == "at most 2 decimal places for this unit")
        // Trailing zeros still count as places: the text, not the value, is checked.
        #expect(refusal { try Quantity.parsePositive("1.0", field: "target", scale: 0) } != nil)
        #expect(try Quantity.parsePositive("300000.5", field: "target", scale: 2) == exactDecimal(digits: "3000005", decimals: 1))
    }

    @Test("24 digits before the point are accepted, 25 are refused, and leading zeros do not count")
    func integerDigitLimit() throws {
        let longest = String(repeating: "9", count: Quantity.maxIntegerDigits)
        #expect(try Quantity.parsePositive(longest, field: "target", scale: 0) == exactDecimal(digits: longest, decimals: 0))
        #expect(try Quantity.parsePositive("000" + longest, field: "target", scale: 0) == exactDecimal(digits: longest, decimals: 0))
        let refused = try #require(refusal { try Quantity.parsePositive("1" + longest, field: "target", scale: 0) })
        #expect(refused.expected == "at most 24 digits before the decimal point")
        let withDecimals = longest + "." + String(repeating: "9", count: 10)
        #expect(try Quantity.parse(withDecimals, field: "rate", scale: 10) == exactDecimal(digits: longest + String(repeating: "9", count: 10), decimals: 10))
    }

    @Test("text prints plain digits without grouping or exponent")
    func textIsPlain() throws {
        #expect(Quantity.text(try Quantity.parsePositive("20,000,000,000", field: "target", scale: 2)) == "20000000000")
        #expect(Quantity.text(try Quantity.parsePositive("1250.50", field: "target", scale: 2)) == "1250.5")
        #expect(Quantity.text(try Quantity.parsePositive("0.000001", field: "target", scale: 6)) == "0.000001")
    }

    // MARK: Properties

    /// Up to 24 integer digits and up to 6 decimal digits, as text.
    private static let digitsAndDecimals = zip(Gen.number.string(of: 1...24), Gen.number.string(of: 0...6))

    @Test("plain decimal text parses to exactly the decimal its digits spell")
    func parsesExactDecimal() async {
        await propertyCheck(count: 500, input: Self.digitsAndDecimals) { integer, fraction in
            let text = fraction.isEmpty ? integer : "\(integer).\(fraction)"
            let expected = exactDecimal(digits: integer + fraction, decimals: fraction.count)
            #expect((try? Quantity.parse(text, field: "quantity", scale: 6)) == expected, "\(text)")
        }
    }

    @Test("grouping the integer digits with commas or underscores does not change the value")
    func groupingIsIgnored() async {
        await propertyCheck(count: 300, input: Self.digitsAndDecimals) { integer, fraction in
            let suffix = fraction.isEmpty ? "" : ".\(fraction)"
            let plain = try? Quantity.parse(integer + suffix, field: "quantity", scale: 6)
            #expect(plain != nil)
            #expect((try? Quantity.parse(grouped(integer, ",") + suffix, field: "quantity", scale: 6)) == plain)
            #expect((try? Quantity.parse(grouped(integer, "_") + suffix, field: "quantity", scale: 6)) == plain)
        }
    }

    @Test("printing a parsed quantity and parsing it again gives the same value")
    func textRoundTrips() async {
        await propertyCheck(count: 300, input: Self.digitsAndDecimals) { integer, fraction in
            let text = fraction.isEmpty ? integer : "\(integer).\(fraction)"
            guard let value = try? Quantity.parse(text, field: "quantity", scale: 6) else {
                Issue.record("\(text) did not parse")
                return
            }
            let printed = Quantity.text(value)
            #expect(!printed.contains("e") && !printed.contains("E") && !printed.contains(","), "\(printed)")
            #expect((try? Quantity.parse(printed, field: "quantity", scale: 6)) == value, "\(text) printed as \(printed)")
        }
    }

    @Test("quantities with more places than the scale are always refused")
    func scaleIsEnforced() async {
        await propertyCheck(count: 300, input: Gen.number.string(of: 1...12), Gen.number.string(of: 1...8), Gen.int(in: 0...7)) {
            integer, fraction, scale in
            let text = "\(integer).\(fraction)"
            let accepted = (try? Quantity.parse(text, field: "quantity", scale: scale)) != nil
            #expect(accepted == (fraction.count <= scale), "\(text) at scale \(scale)")
        }
    }
}

/// `digits` with `separator` between groups of three, counted from the right (`1234567` → `1,234,567`).
private func grouped(_ digits: String, _ separator: Character) -> String {
    var result: [Character] = []
    for (offset, digit) in digits.reversed().enumerated() {
        if offset > 0 && offset % 3 == 0 { result.append(separator) }
        result.append(digit)
    }
    return String(result.reversed())
}

/// The import's quantity reader against the rule written as regular expressions (as the database had it).
@Suite("import quantities")
struct ImportQuantityTests {
    static func reference(_ text: String) -> String? {
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        func matches(_ pattern: String) -> Bool { cleaned.range(of: pattern, options: .regularExpression) != nil }
        if matches("^[0-9]{1,24}(\\.[0-9]+)?$") { return cleaned }
        if matches("^[0-9]{1,3}(,[0-9]{3}){1,7}(\\.[0-9]+)?$") { return cleaned.replacingOccurrences(of: ",", with: "") }
        return nil
    }

    @Test("random strings of digits, separators and signs: the same verdict and the same digits as the reference")
    func agreesWithReference() async {
        let alphabet = Array("0123456789_,.-+e ").map(String.init)
        let characters = Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }
        await propertyCheck(count: 2000, input: characters.array(of: 0...14)) { parts in
            let text = parts.joined()
            #expect(Quantity.plainText(text) == Self.reference(text), "\(text)")
        }
    }

    @Test("examples")
    func examples() {
        #expect(Quantity.plainText("1,000,000") == "1000000")
        #expect(Quantity.plainText("1_000_000.50") == "1000000.50")
        #expect(Quantity.plainText("1250,50") == nil)
        #expect(Quantity.plainText("12O") == nil)
        #expect(Quantity.plainText("-5") == nil)
        #expect(Quantity.plainText("1e5") == nil)
        #expect(Quantity.plainText(".5") == nil)
        #expect(Quantity.plainText("5.") == nil)
        #expect(Quantity.plainText(String(repeating: "9", count: 24)) != nil)
        #expect(Quantity.plainText(String(repeating: "9", count: 25)) == nil)
    }
}
