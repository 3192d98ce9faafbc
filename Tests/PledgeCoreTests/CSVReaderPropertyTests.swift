import Foundation
import PledgeCore
import PropertyBased
import Testing

/// Bytes that exercise every state of the reader: separators, quotes, both line-break bytes, a valid two-byte
/// UTF-8 sequence (C3 A9, é) when they happen to meet, and bytes that are never valid UTF-8 on their own.
private let csvBytes: [UInt8] = [0x2C, 0x22, 0x0D, 0x0A, 0x61, 0x62, 0x20, 0xC3, 0xA9, 0xFF]

private let randomInput = Gen<UInt8?>.element(of: csvBytes).map { $0 ?? 0x61 }.array(of: 0...300)
private let chunkSizes = Gen.int(in: 1...17).array(of: 1...20)

/// Characters that need quoting in CSV, and some that are more than one byte in UTF-8.
private let fieldCharacters: [Character] = ["a", "b", " ", ",", "\"", "\n", "\r", "\r\n", "é", "€", "🇺🇦"]
private let field = Gen<Character?>.element(of: fieldCharacters).map { $0 ?? "a" }.string(of: 0...8)
private let grid = field.array(of: 1...5).array(of: 1...8)

/// `fields` as RFC 4180 text: every field quoted, quotes doubled.
private func rfc4180(_ fields: [String]) -> String {
    fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
}

@Suite("CSVReader properties")
struct CSVReaderPropertyTests {
    @Test("the same bytes give the same records however they are split into chunks")
    func chunkingDoesNotMatter() async {
        await propertyCheck(count: 500, input: randomInput, chunkSizes) { bytes, sizes in
            let whole = csvRecords(bytes: bytes)
            #expect(csvRecords(bytes: bytes, chunkSizes: sizes) == whole)
        }
    }

    @Test("feeding one byte at a time gives the same records as feeding everything at once")
    func byteAtATime() async {
        await propertyCheck(count: 200, input: randomInput) { bytes in
            #expect(csvRecords(bytes: bytes, chunkSizes: [1]) == csvRecords(bytes: bytes))
        }
    }

    @Test("any grid written as RFC 4180 reads back as the same grid, each record on the line it starts")
    func roundTrip() async {
        await propertyCheck(count: 500, input: grid, Gen.bool, Gen.bool, chunkSizes) { rows, crlf, trailingBreak, sizes in
            let lineBreak = crlf ? "\r\n" : "\n"
            let lines = rows.map(rfc4180)
            let text = lines.joined(separator: lineBreak) + (trailingBreak ? lineBreak : "")
            let records = csvRecords(bytes: Array(text.utf8), chunkSizes: sizes)

            #expect(records.map(\.fields) == rows)
            #expect(records.allSatisfy { $0.problem == nil })
            // A record starts one line after all the line feeds before it, its own quoted ones included.
            var expectedLine = 1
            var expectedLines: [Int] = []
            for line in lines {
                expectedLines.append(expectedLine)
                expectedLine += line.utf8.filter { $0 == 0x0A }.count + 1
            }
            #expect(records.map(\.line) == expectedLines)
        }
    }

    @Test("fields without commas, quotes or line breaks read back the same without quoting")
    func unquotedRoundTrip() async {
        let plainField = Gen<Character?>.element(of: ["a", "b", " ", "é", "€", "-", "."] as [Character]).map { $0 ?? "a" }
            .string(of: 1...8)
        await propertyCheck(count: 300, input: plainField.array(of: 1...5).array(of: 1...8)) { rows in
            let text = rows.map { $0.joined(separator: ",") }.joined(separator: "\n")
            let records = csvRecords(text)
            #expect(records.map(\.fields) == rows)
            #expect(records.map(\.line) == Array(1...rows.count))
        }
    }

    @Test("an unclosed quote is reported whatever precedes it, and nothing after it is read as a record")
    func unclosedQuoteIsAlwaysReported() async {
        await propertyCheck(count: 300, input: grid, field) { rows, tail in
            let text = rows.map(rfc4180).joined(separator: "\n") + "\n\"" + tail.replacingOccurrences(of: "\"", with: "\"\"")
            let records = csvRecords(text)
            #expect(records.count == rows.count + 1)
            #expect(records.last?.problem == "a quoted field is never closed")
            #expect(records.dropLast().map(\.fields) == rows)
        }
    }
}
