import Foundation
import PropertyBased
import Testing
import TestSupport

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
                    #expect(StringMapText.parse(json) == map, "\(json)")
                    #expect(StringMapText.parse(json) == (try JSONDecoder().decode([String: String].self, from: Data(json.utf8))))
                }
            }
        }
    }

    @Test("escapes as the decoder reads them: named, \\u, surrogate pairs, either case of hex")
    func escapes() {
        #expect(StringMapText.parse(#"{"a\/b": "\"\\\b\f\n\r\t", "u": "\u00e9\u00E9 \ud83c\uddfa\ud83c\udde6"}"#) == ["a/b": "\"\\\u{8}\u{c}\n\r\t", "u": "éé 🇺🇦"])
        #expect(StringMapText.parse("{}") == [:])
        #expect(StringMapText.parse(" { } ") == [:])
    }

    /// What the fast path does not read goes to the decoder, which decides: the same answer either way.
    @Test("anything but a flat object of strings is left to JSONDecoder")
    func fallback() throws {
        for json in [#"{"a": 1}"#, #"{"a": null}"#, #"{"a": {"b": "c"}}"#, #"["a"]"#, #"{"a": "b",}"#, #"{"a": "b"} x"#, #"{"a" "b"}"#,
                     #"{"a": "\ud83c"}"#, #"{"a": "\x"}"#, #"{"a": "b", "a": "c"}"#, "{\"a\": \"\u{1}\"}", #"{"a": "b"#, ""] {
            #expect(StringMapText.parse(json) == nil, "\(json)")
            let decoded = try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))
            #expect(StringMapText.decode(json) == (decoded ?? [:]), "\(json)")
        }
    }
}
