import Foundation
import PropertyBased
import Testing
import TestSupport
import PledgeCore

@testable import PledgeStore

/// Characters JSON writes raw, escapes by name, escapes as \u, or keeps as multi-byte UTF-8 (a flag is two
/// scalars beyond the basic plane: a surrogate pair when escaped).
private let characters: [Character] = ["a", "Z", "0", " ", ":", ",", "{", "}", "/", "\"", "\\", "\n", "\r", "\t", "\u{1}", "\u{1F}", "\u{7F}", "é", "\u{2028}", "🇺🇦"]
private let text = Gen<Character?>.element(of: characters).map { $0 ?? "a" }.string(of: 0...10)
private let maps = zip(text, text).array(of: 0...5).map { Dictionary($0, uniquingKeysWith: { first, _ in first }) }

@Suite("alert labels read from jsonb text")
struct StringMapTextTests {
    /// The text the server stores and gives back (`jsonb::text`), and the encoder's (which escapes `/`):
    /// both read as the map they were made from, and as `JSONDecoder` reads them.
    @Test("any map of strings survives the server's jsonb text and reads as JSONDecoder reads it")
    func serverText() async throws {
        try await ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            await propertyCheck(count: 300, input: maps) { map in
                let encoded = String(decoding: try JSONEncoder().encode(map), as: UTF8.self)
                let stored = try connection.query("SELECT \(encoded)::jsonb::text").scalar(String.self)
                for json in [encoded, stored] {
                    #expect(JSONText.stringMap(json) == map, "\(json)")
                    #expect(JSONText.stringMap(json) == (try JSONDecoder().decode([String: String].self, from: Data(json.utf8))))
                }
            }
        }
    }

    @Test("escapes as the decoder reads them: named, \\u, surrogate pairs, either case of hex")
    func escapes() {
        #expect(JSONText.stringMap(#"{"a\/b": "\"\\\b\f\n\r\t", "u": "\u00e9\u00E9 \ud83c\uddfa\ud83c\udde6"}"#) == ["a/b": "\"\\\u{8}\u{c}\n\r\t", "u": "éé 🇺🇦"])
        #expect(JSONText.stringMap("{}") == [:])
        #expect(JSONText.stringMap(" { } ") == [:])
    }

    /// What the fast path does not read goes to the decoder, which decides: the same answer either way.
    @Test("anything but a flat object of strings is left to JSONDecoder")
    func fallback() throws {
        for json in [#"{"a": 1}"#, #"{"a": null}"#, #"{"a": {"b": "c"}}"#, #"["a"]"#, #"{"a": "b",}"#, #"{"a": "b"} x"#, #"{"a" "b"}"#,
                     #"{"a": "\ud83c"}"#, #"{"a": "\x"}"#, #"{"a": "b", "a": "c"}"#, "{\"a\": \"\u{1}\"}", #"{"a": "b"#, ""] {
            #expect(JSONText.stringMap(json) == nil, "\(json)")
            let decoded = try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))
            #expect(StringMapText.decode(json) == (decoded ?? [:]), "\(json)")
        }
    }
}

/// An export reads each pledge's stored summary back from the server's jsonb text.
@Suite("stored summaries read back")
struct StoredSummaryTests {
    @Test("a summary with random fields reads from the server's jsonb text as JSONDecoder reads it")
    func serverText() async throws {
        try await ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            await propertyCheck(count: 300, input: Gen.uint64()) { seed in
                var random = RandomValues(seed: seed)
                let written = try JSONSerialization.data(withJSONObject: random.assessmentJSON())
                let summary = try JSONDecoder().decode(AssessmentSummary.self, from: written)
                for text in [summary.compactJSON, String(decoding: written, as: UTF8.self)] {
                    let stored = try connection.query("SELECT \(text)::jsonb::text").scalar(String.self)
                    let fast = AssessmentSummary(jsonText: stored)
                    #expect(fast != nil, "\(stored)")
                    #expect(fast == (try JSONDecoder().decode(AssessmentSummary.self, from: Data(stored.utf8))), "seed \(seed): \(stored)")
                    #expect(fast == summary)
                }
            }
        }
    }

    /// What it does not read as the decoder would, it leaves to the decoder.
    @Test("a field of the wrong type or missing gives nil; a missing optional is nil, as the decoder reads it")
    func refusals() throws {
        var random = RandomValues(seed: 7)
        func text(_ fields: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        }
        #expect(AssessmentSummary(jsonText: try text(random.assessmentJSON())) != nil)
        let wrong: [(String, Any?)] = [
            ("daysLeft", "5"), ("daysLeft", 5.5), ("pledge", 1), ("paceRatio", "0.5"), ("gradeReasons", [1]), ("alternatives", ["a": 1]),
            ("completion", ["p10": 1]), ("grade", nil), ("projectedTotalAtDeadline", nil),
        ]
        for (key, value) in wrong {
            var fields = random.assessmentJSON()
            fields[key] = value
            let changed = try text(fields)
            #expect(AssessmentSummary(jsonText: changed) == nil, "\(key)")
            #expect(throws: (any Error).self) { try JSONDecoder().decode(AssessmentSummary.self, from: Data(changed.utf8)) }
        }
        var fields = random.assessmentJSON()
        fields["paceRatio"] = nil
        let summary = AssessmentSummary(jsonText: try text(fields))
        #expect(summary != nil && summary?.paceRatio == nil)
        #expect(summary == (try JSONDecoder().decode(AssessmentSummary.self, from: Data(try text(fields).utf8))))
    }
}
