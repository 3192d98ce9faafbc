import Foundation
import PropertyBased
import Testing
import TestSupport

@testable import PledgeCore

/// A dashboard copies an evaluation's stored summaries into the document as they are, laid out anew: the
/// bytes must be those of the summaries rendered again, and anything not in the stored layout refused.
@Suite("stored summaries copied into documents")
struct StoredSummaryCopyTests {
    /// The document with every entry holding its summary's compact JSON instead of the summary.
    static func copying(_ document: DashboardDocument) throws -> DashboardDocument {
        var copy = document
        copy.pledges = try document.pledges.map { entry in
            let summary = try entry.assessment.summary()
            return DashboardDocument.PledgeEntry(
                id: entry.id, donor: entry.donor, recipient: entry.recipient, title: entry.title, category: entry.category,
                unit: entry.unit, unitKind: entry.unitKind, commitment: entry.commitment, status: entry.status,
                announcedOn: entry.announcedOn, countsFrom: entry.countsFrom, source: entry.source, originalTerms: entry.originalTerms,
                currentTerms: entry.currentTerms,
                assessment: .stored(.init(json: summary.compactJSON, status: summary.status, delivered: summary.delivered)),
                assessmentSource: entry.assessmentSource, timeline: entry.timeline, openAlerts: entry.openAlerts)
        }
        return copy
    }

    @Test("entries holding stored JSON stream the bytes of the same entries holding summaries, in pieces of any size")
    func sameBytes() async throws {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 1...4)) { seed, batchSize in
            var random = RandomValues(seed: seed)
            let document = try DashboardStreamEncoderTests.randomDocument(&random, entries: 6, alerts: 2)
            let pieceSize = [1, 7, 300, DashboardStreamEncoder.defaultPieceSize][Int(seed % 4)]
            let copied = try Self.copying(document)
            #expect(
                try DashboardStreamEncoderTests.streamed(copied, batchSize: batchSize, pieceSize: pieceSize)
                    == DashboardStreamEncoderTests.whole(document), "seed \(seed)")
            // Encoded through `JSONEncoder` (the daemon's path), a copied entry is its summary.
            #expect(try DashboardDocument.encoder.encode(copied) == DashboardDocument.encoder.encode(document))
            for entry in document.pledges {
                let summary = try entry.assessment.summary()
                #expect(AssessmentSummary.hasStoredLayout(summary.compactJSON), "seed \(seed)")
            }
        }
    }

    @Test("any JSON value is laid out as the writer would write it, whitespace and all; what is not one value is refused")
    func relayout() throws {
        for (text, pretty) in [
            ("{}", "{\n\n}"), ("[]", "[\n\n]"), ("\"a\\\"b\"", "\"a\\\"b\""), ("-1.5e3", "-1.5e3"), ("0", "0"), ("-0.25E+10", "-0.25E+10"),
            ("\"\\u00e9\\n\\/\"", "\"\\u00e9\\n\\/\""), ("[true,false,null]", "[\n  true,\n  false,\n  null\n]"),
            (" { \"a\" : [ 1 , {\"b\":null} , [] ] , \"c\":true } ", "{\n  \"a\" : [\n    1,\n    {\n      \"b\" : null\n    },\n    [\n\n    ]\n  ],\n  \"c\" : true\n}"),
        ] {
            var writer = JSONByteWriter(depth: 0, innermostIsEmpty: true)
            try writer.json(text)
            #expect(writer.text == pretty, "\(text)")
        }
        for text in [
            "", "{", "}", "[1,]", "{\"a\"}", "{\"a\":1,}", "{\"a\":1}}", "[1 2]", "{1:2}", "\"open", "1 2", "{\"a\":}", "[}", "{]",
            "[tru]", "[nan]", "[1-2]", "[01]", "[+1]", "[.5]", "[1e]", "[1.]", "[-]", "[\"\\q\"]", "[\"\\u12\"]", "[\"\\u12g4\"]",
        ] {
            var writer = JSONByteWriter(depth: 0, innermostIsEmpty: true)
            #expect(throws: JSONByteWriter.Malformed.self, "\(text)") { try writer.json(text) }
        }
    }

    @Test("the stored layout: every field the summary writes, in its order, and nothing else")
    func storedLayout() throws {
        var random = RandomValues(seed: 7)
        let json = try DashboardStreamEncoderTests.randomEntry(&random).assessment.summary().compactJSON
        #expect(AssessmentSummary.hasStoredLayout(json))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        // jsonb's rendering of the same values (keys by length, then bytes; spaces): not the stored layout.
        let jsonbOrder = object.keys.sorted {
            $0.utf8.count != $1.utf8.count ? $0.utf8.count < $1.utf8.count : $0.utf8.lexicographicallyPrecedes($1.utf8)
        }
        #expect(jsonbOrder != object.keys.sorted())
        for refused in [
            "{\"broken\": true}", "", "{}", "[]", json + " ", json + "{}", String(json.dropLast()),
            json.replacingOccurrences(of: "\"asOf\"", with: "\"asof\""),
            "{" + jsonbOrder.map { "\"\($0)\": 0" }.joined(separator: ", ") + "}",
            "{\"extra\":1," + json.dropFirst(),
        ] {
            #expect(!AssessmentSummary.hasStoredLayout(refused), "\(refused)")
        }
    }
}
