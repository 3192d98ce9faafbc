import Foundation
import PropertyBased
import Testing

@testable import Postgres

/// The fast path for numeric text must agree with Foundation's parser on value and on rendering.
@Suite("numeric text")
struct DecimalTextTests {
    static func reference(_ text: String) -> Decimal? { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) }

    @Test("plain numerals up to 18 digits: the same value and the same description as Decimal(string:)")
    func agrees() async {
        let digits = Gen.int(in: 0...9).array(of: 1...18)
        await propertyCheck(count: 2000, input: digits, Gen.int(in: 0...18), Gen.bool) { digits, point, negative in
            var text = digits.map(String.init).joined()
            if point < text.count && point > 0 { text.insert(".", at: text.index(text.startIndex, offsetBy: point)) }
            if negative { text = "-" + text }
            let fast = Decimal.plain(text)
            let slow = Self.reference(text)
            #expect(fast == slow, "\(text)")
            #expect(fast?.description == slow?.description, "\(text)")
            #expect(Decimal(postgresText: text) == slow)
            // The same text inside a longer one (an array's element) reads the same.
            var array = "{" + text + ",7}"
            let element = array.withUTF8 { Decimal(postgresUTF8: UnsafeBufferPointer(rebasing: $0[1..<($0.count - 3)])) }
            #expect(element == slow, "\(text)")
        }
    }

    @Test("what the fast path leaves to the general parser")
    func fallsBack() {
        #expect(Decimal.plain("1234567890123456789") == nil)  // 19 digits
        #expect(Decimal.plain("NaN") == nil)
        #expect(Decimal.plain("1e5") == nil)
        #expect(Decimal.plain("") == nil)
        #expect(Decimal.plain("-") == nil)
        #expect(Decimal.plain("1-") == nil)
        #expect(Decimal.plain("1.2.3") == nil)
        #expect(Decimal(postgresText: "123456789012345678901234.5678")?.description == "123456789012345678901234.5678")
        #expect(Decimal.plain("-0") == 0)
        var long = "123456789012345678901234.5678"
        #expect(long.withUTF8 { Decimal(postgresUTF8: $0) }?.description == "123456789012345678901234.5678")
        var nonsense = "abc"
        #expect(nonsense.withUTF8 { Decimal(postgresUTF8: $0) } == nil)
    }
}
