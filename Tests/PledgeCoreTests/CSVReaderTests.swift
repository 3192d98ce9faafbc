import PledgeCore
import Testing

@Suite("CSVReader")
struct CSVReaderTests {
    /// The fields of each record of `text`, for tests that are not about line numbers or problems.
    private func grid(_ text: String) -> [[String]] {
        csvRecords(text).map(\.fields)
    }

    @Test("unquoted fields are split on commas, records on line breaks")
    func plainRecords() {
        #expect(grid("a,b,c\n1,2,3\n") == [["a", "b", "c"], ["1", "2", "3"]])
    }

    @Test("a UTF-8 byte order mark before the first record is dropped, fed whole or a byte at a time; elsewhere it is data")
    func byteOrderMark() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let file = bom + Array("pledge,date\n\u{FEFF}x,y\n".utf8)
        var whole = CSVReader()
        let fed = whole.feed(file) + whole.finish()
        var bytewise = CSVReader()
        let trickled = file.flatMap { bytewise.feed([$0]) } + bytewise.finish()
        for records in [fed, trickled] {
            #expect(records.map(\.fields) == [["pledge", "date"], ["\u{FEFF}x", "y"]])
            #expect(records.map(\.line) == [1, 2])
        }
        // The start of a mark and nothing else is the input; so is a start that turns out not to be one.
        // (Kept, those bytes are not valid UTF-8 alone, so the record says so rather than losing them.)
        #expect(csvRecords(bytes: [0xEF, 0xBB]).map(\.problem) == ["the line is not valid UTF-8"])
        #expect(csvRecords(bytes: [0xEF, 0xBB, 0x41, 0x0A, 0x42]).map(\.problem) == ["the line is not valid UTF-8", nil])
        #expect(grid("ab\n") == [["ab"]])
    }

    @Test("CRLF, LF and a lone CR all end a record, and may be mixed")
    func lineEndings() {
        #expect(grid("a,b\r\nc,d\r\n") == [["a", "b"], ["c", "d"]])
        #expect(grid("a,b\nc,d\r\ne,f\rg,h") == [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]])
    }

    @Test("the last record needs no line break")
    func noTrailingNewline() {
        #expect(grid("a,b\nc,d") == [["a", "b"], ["c", "d"]])
        #expect(grid("only") == [["only"]])
    }

    @Test("quoted fields may hold commas, doubled quotes and line breaks")
    func quotedFields() {
        let text = "\"Smith, J.\",\"say \"\"hi\"\"\",\"two\nlines\",\"crlf\r\ninside\"\r\nnext,row\r\n"
        #expect(grid(text) == [["Smith, J.", "say \"hi\"", "two\nlines", "crlf\r\ninside"], ["next", "row"]])
    }

    @Test("empty fields are kept: between commas, at the end of a line, and quoted")
    func emptyFields() {
        #expect(grid("a,,c,\n") == [["a", "", "c", ""]])
        #expect(grid(",\n") == [["", ""]])
        #expect(grid("\"\"\n") == [[""]])
        #expect(grid("\"\",\"\"") == [["", ""]])
        #expect(grid("\"\"\"\"") == [["\""]])
    }

    @Test("blank lines are skipped but still counted")
    func blankLines() {
        let records = csvRecords("\n\na\r\n\r\nb\n\n")
        #expect(records.map(\.fields) == [["a"], ["b"]])
        #expect(records.map(\.line) == [3, 5])
        #expect(csvRecords("").isEmpty)
        #expect(csvRecords("\n\r\n\r").isEmpty)
    }

    @Test("each record knows the physical line it starts on; a quoted line break advances it")
    func lineNumbers() {
        let records = csvRecords("header\r\n\"multi\nline\nfield\",x\r\nafter\n\"one\r\nmore\"\nlast")
        #expect(records.map(\.line) == [1, 2, 5, 6, 8])
        #expect(records.map(\.fields) == [["header"], ["multi\nline\nfield", "x"], ["after"], ["one\r\nmore"], ["last"]])
        #expect(records.allSatisfy { $0.problem == nil })
    }

    @Test("non-ASCII text in UTF-8 is read as is, quoted or not")
    func unicode() {
        #expect(grid("Україна,\"€8 bn, für 2024\",🇺🇦\n") == [["Україна", "€8 bn, für 2024", "🇺🇦"]])
    }

    @Test("a quoted field that is never closed is reported at the line where its record starts")
    func unclosedQuote() {
        let records = csvRecords("a,b\nc,\"never\nclosed,d\n")
        #expect(records.count == 2)
        #expect(records[0].fields == ["a", "b"])
        #expect(records[0].problem == nil)
        #expect(records[1].line == 2)
        #expect(records[1].problem == "a quoted field is never closed")
        #expect(records[1].fields.isEmpty)
    }

    @Test("a quote closed at the very end of the input is not an unclosed quote")
    func quoteClosedAtEnd() {
        let records = csvRecords("a,\"b\"")
        #expect(records.map(\.fields) == [["a", "b"]])
        #expect(records[0].problem == nil)
    }

    @Test("invalid UTF-8 is reported with its record's line, and the following records are unaffected")
    func invalidUTF8() {
        var bytes = Array("ok,1\n\"two\nlines\",".utf8)
        bytes += [0xC3, 0x28]  // a lead byte followed by a non-continuation byte
        bytes += Array("\nfine,\u{E9}\n".utf8)
        let records = csvRecords(bytes: bytes)
        #expect(records.count == 3)
        #expect(records[0].problem == nil)
        #expect(records[1].line == 2)
        #expect(records[1].problem == "the line is not valid UTF-8")
        #expect(records[2].line == 4)
        #expect(records[2].problem == nil)
        #expect(records[2].fields == ["fine", "é"])
    }

    @Test("a line break split from its CR across two chunks still ends one record")
    func crlfAcrossChunks() {
        var reader = CSVReader()
        var records = reader.feed(Array("a,b\r".utf8))
        #expect(records.map(\.fields) == [["a", "b"]])
        records = reader.feed(Array("\nc,d\r".utf8))
        #expect(records.map(\.fields) == [["c", "d"]])
        #expect(records.map(\.line) == [2])
        records = reader.feed(Array("\n".utf8)) + reader.finish()
        #expect(records.isEmpty)
    }

    @Test("a doubled quote split across chunks is still one quote")
    func doubledQuoteAcrossChunks() {
        var reader = CSVReader()
        var records = reader.feed(Array("\"say \"".utf8))
        #expect(records.isEmpty)
        records += reader.feed(Array("\"hi\"\"\"".utf8))
        records += reader.finish()
        #expect(records.map(\.fields) == [["say \"hi\""]])
    }

    @Test("feed returns only completed records; finish returns the rest")
    func feedAndFinish() {
        var reader = CSVReader()
        #expect(reader.feed(Array("a,b\nc".utf8)).map(\.fields) == [["a", "b"]])
        #expect(reader.feed(Array(",d".utf8)).isEmpty)
        #expect(reader.finish().map(\.fields) == [["c", "d"]])
    }
}
