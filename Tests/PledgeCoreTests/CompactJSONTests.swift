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
            let summary = try DashboardStreamEncoderTests.randomEntry(&random).assessment.summary()
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

    /// The scalars the writer copies as they are (every one but the control characters, quote and
    /// backslash, which the encoder escapes): strings of nothing else, so no chunk goes the encoder's way.
    @Test("a string of any characters the writer copies is written as the encoder writes it: every scalar from U+0020 up")
    func everyScalar() throws {
        let escaped: Set<UInt32> = [0x22, 0x5C]
        let scalars = (0x20...0x10FFFF).filter { !escaped.contains(UInt32($0)) }.compactMap { Unicode.Scalar(UInt32($0)) }
        for start in stride(from: 0, to: scalars.count, by: 4_096) {
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars[start..<min(start + 4_096, scalars.count)])
            let value = String(text)
            #expect(CompactJSON.text([value]) == (try Self.encoded([value], escapingSlashes: false)), "scalars from \(start)")
        }
    }

    @Test("rows for a set-based write: random fields read back as the values written")
    func rows() async throws {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var random = RandomValues(seed: seed)
            var rows = CompactJSONRows(capacity: 0)
            var expected: [[String: Any]] = []
            for _ in 0..<random.below(6) {
                let name = random.string()
                let note = random.chance() ? random.string() : nil
                let count = random.int()
                let limit = random.chance() ? random.int() : nil
                let labels = random.dictionary()
                rows.beginRow()
                try rows.field("name", name)
                try rows.field("note", note)
                rows.field("count", count)
                rows.field("limit", limit)
                try rows.field("labels", labels)
                rows.endRow()
                expected.append(["name": name, "note": note ?? NSNull(), "count": count, "limit": limit ?? NSNull(), "labels": labels])
            }
            let text = rows.finish()
            let read = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
            #expect(read.map { NSArray(array: $0) } == NSArray(array: expected), "seed \(seed): \(text)")
        }
    }

    @Test("empty lists and objects, and what the encoder refuses")
    func edges() {
        #expect(CompactJSON.text([String]()) == "[]")
        #expect(CompactJSON.text([String: String]()) == "{}")
        #expect(CompactJSON.text(["a/b": 0.5, "B": 2]) == #"{"B":2,"a/b":0.5}"#)
        #expect(CompactJSON.text(["x": Double.nan]) == "null")
        #expect(CompactJSONRows(capacity: 0).finish() == "[]")
    }
}

/// Figures in a summary are computed in 128-bit integers; they must be what printf's rounding and the way
/// through `Decimal` gave.
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

    /// printf's own text, trimmed as the summary trims it.
    static func printf(_ value: Double, scale: Int) -> String {
        var text = String(format: "%.\(scale)f", value)
        if scale > 0 {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    @Test("exact ties round to even, as printf rounds them: binary fractions at every scale")
    func ties() async {
        await propertyCheck(count: 3_000, input: Gen.int(in: -1_000_000_000...1_000_000_000), Gen.int(in: 0...40), Gen.int(in: 0...17)) { numerator, power, scale in
            let value = Double(numerator) / Double(UInt64(1) << UInt64(power % 40))
            #expect(AssessmentSummary.decimal(value, scale: scale) == Self.printf(value, scale: scale), "\(numerator)/2^\(power % 40) at \(scale)")
        }
        for (value, scale, text) in [(0.125, 2, "0.12"), (0.375, 2, "0.38"), (2.5, 0, "2"), (3.5, 0, "4"), (-0.5, 0, "0"), (1.005, 2, "1"), (5e-324, 17, "0")] {
            #expect(AssessmentSummary.decimal(value, scale: scale) == text, "\(value) at \(scale)")
        }
    }
}
