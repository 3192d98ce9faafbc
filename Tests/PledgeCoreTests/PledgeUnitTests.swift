import Foundation
import PledgeCore
import Testing

@Suite("PledgeUnit")
struct PledgeUnitTests {
    @Test("lowercase names are count units measured in whole items", arguments: ["rounds", "troops", "armoured_vehicles", "t"])
    func countUnits(text: String) throws {
        let unit = try PledgeUnit.parse(text)
        #expect(unit == .count(text))
        #expect(unit.scale == 0)
        #expect(!unit.isCurrency)
        #expect(unit.code == text)
        #expect(unit.description == text)
    }

    @Test("three capitals are an ISO 4217 currency measured in cents", arguments: ["EUR", "USD", "JPY"])
    func currencies(text: String) throws {
        let unit = try PledgeUnit.parse(text)
        #expect(unit == .currency(text))
        #expect(unit.scale == 2)
        #expect(unit.isCurrency)
        #expect(unit.code == text)
    }

    @Test(
        "anything else is refused",
        arguments: [
            "", "Rounds", "EURO", "EU", "EUr", "_rounds", "rounds1", "round s", "ЕUR", "rounds-155mm", "éclats", "€",
            String(repeating: "a", count: 33),
        ])
    func refused(text: String) throws {
        let refused = try #require(refusal { try PledgeUnit.parse(text) })
        #expect(refused.field == "unit")
        #expect(refused.value == text)
        #expect(refused.expected.contains("ISO 4217"))
    }

    @Test("a count unit may be 32 characters long, and the refusal names the caller's field")
    func lengthAndField() throws {
        let longest = String(repeating: "a", count: 32)
        #expect(try PledgeUnit.parse(longest) == .count(longest))
        #expect(refusal { try PledgeUnit.parse("Usd", field: "currency") }?.field == "currency")
    }

    @Test("encodes as its code and decodes only valid codes")
    func codable() throws {
        let units: [PledgeUnit] = [.count("rounds"), .currency("EUR")]
        let json = try JSONEncoder().encode(units)
        #expect(String(decoding: json, as: UTF8.self) == #"["rounds","EUR"]"#)
        #expect(try JSONDecoder().decode([PledgeUnit].self, from: json) == units)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([PledgeUnit].self, from: Data(#"["Euro"]"#.utf8))
        }
    }
}
