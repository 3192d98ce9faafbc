import Foundation
import PropertyBased
import Testing
import TestSupport

@testable import PledgeCore

/// What an evaluation stores as jsonb: the same JSON the encoder writes (sorted keys, compact).
@Suite("compact JSON of assessments")
struct CompactJSONTests {
    static func encoded<T: Encodable>(_ value: T, escapingSlashes: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = escapingSlashes ? [.sortedKeys] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("summaries, alternatives and reasons with random fields: the encoder's bytes, and the same values")
    func randomValues() async throws {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var random = RandomValues(seed: seed)
            let summary = try DashboardStreamEncoderTests.randomEntry(&random).assessment
            let reasons = random.strings()
            let alternatives = Dictionary(
                (0..<random.below(4)).map { _ in (random.string(), (random.double() as? Double) ?? 0) }, uniquingKeysWith: { a, _ in a })
            #expect(summary.compactJSON == (try Self.encoded(summary, escapingSlashes: false)), "seed \(seed)")
            #expect(CompactJSON.text(reasons) == (try Self.encoded(reasons, escapingSlashes: false)))
            #expect(CompactJSON.text(alternatives) == (try Self.encoded(alternatives, escapingSlashes: false)))
            // What was stored before (slashes escaped) reads as the same values.
            let decoder = JSONDecoder()
            #expect(
                try decoder.decode(AssessmentSummary.self, from: Data(summary.compactJSON.utf8))
                    == decoder.decode(AssessmentSummary.self, from: Data(try Self.encoded(summary, escapingSlashes: true).utf8)))
        }
    }

    @Test("empty lists and objects, and what the encoder refuses")
    func edges() {
        #expect(CompactJSON.text([String]()) == "[]")
        #expect(CompactJSON.text([String: String]()) == "{}")
        #expect(CompactJSON.text(["a/b": 0.5, "B": 2]) == #"{"B":2,"a/b":0.5}"#)
        #expect(CompactJSON.text(["x": Double.nan]) == "null")
    }
}

/// Figures in a summary come from `printf`'s text directly; they must be what the way through `Decimal` gave.
@Suite("summary figures")
struct SummaryFigureTests {
    static let value = Gen.oneOf(
        Gen.uint64().map { Double(bitPattern: $0) },
        Gen.int(in: -2_000_000...2_000_000).map { Double($0) / 1_000 },
        Gen.int(in: -400...400).map { Double($0) / 8 },
        Gen.double(in: -1e22...1e22),
        Gen.element(of: [0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.005, 1.005, 1e-300, 9.999999, 123456789012345678, 1e21, 3e25]).map { $0 ?? 0 })

    @Test("any double at any scale gives the text the Decimal way gave")
    func sameAsDecimal() async {
        await propertyCheck(count: 3_000, input: Self.value, Gen.int(in: -2...19)) { value, scale in
            #expect(AssessmentSummary.decimal(value, scale: scale) == AssessmentSummary.decimalThroughDecimal(value, scale: scale), "\(value) at \(scale)")
        }
    }
}
