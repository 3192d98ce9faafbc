import Foundation
import PledgeCore
import Testing

@Suite("free text: characters a terminal would act on are refused on entry, named, and escaped when shown")
struct FreeTextCharacterTests {
    /// Every character refused in any text, whatever its lines.
    static let alwaysRefused: [Unicode.Scalar] =
        (UInt32(0x00)..<0x20).filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }.map { Unicode.Scalar($0)! }
        + (UInt32(0x7F)..<0xA0).map { Unicode.Scalar($0)! }
        + ([0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069] as [UInt32]).map { Unicode.Scalar($0)! }

    @Test("each control, C1 and bidirectional formatting character is refused anywhere in a text, in either kind of field")
    func refusedEverywhere() throws {
        var generator = SystemRandomNumberGenerator()
        for scalar in Self.alwaysRefused {
            for lines in [FreeText.Lines.single, .multiple] {
                let prefix = String(repeating: "é", count: Int.random(in: 0...5, using: &generator))
                let text = prefix + String(Character(scalar)) + "rest"
                let refused = try #require(refusal { try FreeText.validate(text, field: "title", lines: lines) }, "\(scalar.value)")
                #expect(refused.field == "title")
                #expect(refused.value == text)
                let code = String(format: "U+%04X", scalar.value)
                #expect(refused.expected.contains(code), "\(refused.expected)")
                #expect(refused.expected.contains("at character \(prefix.unicodeScalars.count + 1)"), "\(refused.expected)")
            }
        }
    }

    @Test("a single-line field refuses line breaks and tabs; a multi-line one takes \\n, \\r\\n and tabs but not a lone \\r")
    func lineBreaks() throws {
        for text in ["a\nb", "a\r\nb", "a\tb", "a\rb", "a\u{2028}b", "a\u{2029}b"] {
            let refused = try #require(refusal { try FreeText.validate(text, field: "donor") }, "\(text.debugDescription)")
            #expect(refused.expected.hasPrefix("a single line of printable text; found a "), "\(refused.expected)")
            #expect(refused.expected.hasSuffix("at character 2"), "\(refused.expected)")
        }
        for text in ["a\nb", "a\r\nb\r\n", "a\tb", "line 1\n\nline 3"] {
            #expect(try FreeText.validate(text, field: "notes", lines: .multiple) == text)
        }
        for text in ["a\rb", "a\r", "a\n\rb"] {
            let refused = try #require(refusal { try FreeText.validate(text, field: "notes", lines: .multiple) })
            #expect(refused.expected.contains("a carriage return without a line feed, U+000D"), "\(refused.expected)")
        }
        for text in ["a\u{2028}b", "a\u{2029}b"] {
            let refused = try #require(refusal { try FreeText.validate(text, field: "notes", lines: .multiple) })
            #expect(refused.expected.hasSuffix("a Unicode line or paragraph separator, U+202\(text.unicodeScalars.dropFirst().first!.value == 0x2028 ? 8 : 9), at character 2"), "\(refused.expected)")
        }
        // Required means something visible: a reason of line breaks and spaces is blank.
        #expect(refusal { try FreeText.validate(" \n\r\n\t", field: "reason", required: true, lines: .multiple) }?.expected == "a non-empty text")
    }

    @Test("printable text of any script, emoji and joiners pass unchanged, and are shown unchanged")
    func printablePasses() throws {
        for text in [
            "European Union", "Україна", "الاتحاد الأوروبي", "ドイツ", "e\u{301}", "🇺🇦 👩‍👩‍👧", "zero\u{200B}width", "a\u{A0}b",
            "'); DROP TABLE delivery; -- $1 \\ %s",
        ] {
            #expect(try FreeText.validate(text, field: "title") == text)
            #expect(FreeText.visible(text) == text)
            #expect(FreeText.firstRefused(in: text, lines: .single) == nil)
        }
    }

    @Test("visible text is one printable line: refused characters become \\u{…}, the rest stays, and it passes validation")
    func visible() throws {
        #expect(FreeText.visible("red \u{1B}[31mALERT\u{1B}[0m") == "red \\u{1B}[31mALERT\\u{1B}[0m")
        #expect(FreeText.visible("a\nb\tc\r\n") == "a\\u{A}b\\u{9}c\\u{D}\\u{A}")
        #expect(FreeText.visible("a\nb\tc\r\nd\re\u{2028}", lines: .multiple) == "a\nb\tc\r\nd\\u{D}e\\u{2028}")
        #expect(FreeText.visible("\u{202E}txt.exe") == "\\u{202E}txt.exe")
        // Property: whatever the input (without backslashes, so the escapes can be read back), the shown text is
        // accepted as a single line, and reading its escapes back gives the input.
        var generator = SystemRandomNumberGenerator()
        let alphabet = Self.alwaysRefused + ["\n", "\r", "\t", "a", "u", "{", "é", "\u{2028}", "🇺"].map { $0 as Unicode.Scalar }
        for _ in 0..<500 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...12, using: &generator) { text.append(alphabet.randomElement(using: &generator)!) }
            let shown = FreeText.visible(String(text))
            #expect(FreeText.firstRefused(in: shown, lines: .single) == nil, "\(shown.debugDescription)")
            #expect(Self.unescaped(shown) == String(text), "\(shown.debugDescription)")
        }
    }

    /// `\u{1B}` back to U+001B.
    static func unescaped(_ shown: String) -> String {
        var result = String.UnicodeScalarView()
        var rest = Substring(shown)
        while let start = rest.range(of: "\\u{") {
            result.append(contentsOf: rest[..<start.lowerBound].unicodeScalars)
            let end = rest[start.upperBound...].firstIndex(of: "}")!
            result.append(Unicode.Scalar(UInt32(rest[start.upperBound..<end], radix: 16)!)!)
            rest = rest[rest.index(after: end)...]
        }
        result.append(contentsOf: rest.unicodeScalars)
        return String(result)
    }

    @Test("a refusal's message shows the value with its controls escaped: printing the message cannot act on the terminal")
    func messageEscapes() throws {
        let error = InputError.invalid(field: "title", value: "x\u{1B}]0;pwned\u{07}y", expected: "z")
        #expect(error.description == "invalid title: \"x\\u{1B}]0;pwned\\u{7}y\" (expected z)")
        let long = String(repeating: "\u{1B}", count: 100)
        #expect(!InputError.invalid(field: "note", value: long, expected: "z").description.unicodeScalars.contains("\u{1B}"))
        #expect(InputError.notFound(what: "pledge", id: "a\rb").description == "no pledge \"a\\u{D}b\"")
    }

    @Test("NUL is refused, said as PostgreSQL's text cannot hold it")
    func nul() throws {
        let refused = try #require(refusal { try FreeText.validate("a\u{0}b", field: "note", lines: .multiple) })
        #expect(refused.field == "note")
        #expect(refused.expected == "printable text (line breaks and tabs allowed); found a NUL character, which PostgreSQL text cannot hold, U+0000, at character 2")
    }
}
