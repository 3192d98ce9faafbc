import PledgeCore
import Testing

@Suite("DeliveryCSV")
struct DeliveryCSVTests {
    /// The layout of `header`, and the staging values of each following line (or its problem).
    private func read(_ text: String) throws -> [Result<[String?], RowProblem>] {
        let records = csvRecords(text)
        let layout = try DeliveryCSV(header: records[0])
        return records.dropFirst().map(layout.values(of:))
    }

    @Test("staging columns come in a fixed order: required first, then optional")
    func columnOrder() {
        #expect(DeliveryCSV.columns == ["pledge", "date", "quantity", "currency", "contributor", "source", "note", "idempotency_key"])
    }

    @Test("a file with only the required columns stages nil for every optional one")
    func requiredOnly() throws {
        let rows = try read("pledge,date,quantity\neu-1m-rounds,2023-11-14,300000\n")
        #expect(try rows[0].get() == ["eu-1m-rounds", "2023-11-14", "300000", nil, nil, nil, nil, nil])
    }

    @Test("columns may come in any order and any case, and are mapped to their staging position")
    func anyOrder() throws {
        let text = "Note , quantity,IDEMPOTENCY_KEY,date,pledge,currency\nfirst lot,\"1,000\",k1,2024-01-02,de-8bn-2024,USD\n"
        let rows = try read(text)
        #expect(try rows[0].get() == ["de-8bn-2024", "2024-01-02", "1000", "USD", nil, nil, "first lot", "k1"])
    }

    @Test("empty and blank optional fields become nil; other values are trimmed")
    func emptyBecomesNil() throws {
        let rows = try read("pledge,date,quantity,contributor,note\n  eu-1m-rounds ,2023-11-14,5,,\"  \"\n")
        #expect(try rows[0].get() == ["eu-1m-rounds", "2023-11-14", "5", nil, nil, nil, nil, nil])
    }

    @Test("a note may run over lines (quoted); any other field is one line; a control character is a problem with its line, column and place")
    func characters() throws {
        let rows = try read(
            "pledge,date,quantity,contributor,source,note\n"
                + "eu-1m-rounds,2023-11-14,5,,,\"first line\r\nsecond\tline\"\n"
                + "eu-1m-rounds,2023-11-14,5,,\"a\nb\",\n"
                + "eu-1m-rounds,2023-11-14,5,Ger\tmany,,\n"
                + "eu-1m-rounds,2023-11-14,5,,,x\u{1B}[2J\n"
                + "eu-1m-rounds,2023-11-14\u{7},5,,,\n"
                + "eu-1m-rounds,2023-11-14,5,,,  x\u{1B}\n")
        #expect(try rows[0].get()[6] == "first line\r\nsecond\tline")
        let problems = rows.dropFirst().map { row -> String in
            guard case .failure(let problem) = row else { return "accepted" }
            return "\(problem.line): \(problem.reason)"
        }
        #expect(
            problems == [
                "4: source: expected a single line of printable text; found a line break, U+000A, at character 2",
                "6: contributor: expected a single line of printable text; found a tab, U+0009, at character 4",
                "7: note: expected printable text (line breaks and tabs allowed); found a control character, U+001B, at character 2",
                "8: date: expected a single line of printable text; found a control character, U+0007, at character 11",
                // Counted in the field as written, the spaces before it included.
                "9: note: expected printable text (line breaks and tabs allowed); found a control character, U+001B, at character 4",
            ])
    }

    @Test("a missing required column refuses the file and names what is missing")
    func missingRequired() throws {
        let refused = try #require(refusal { try DeliveryCSV(header: csvRecord("pledge,quantity,note")) })
        #expect(refused.field == "header")
        #expect(refused.expected.contains("missing: date"))
        let both = try #require(refusal { try DeliveryCSV(header: csvRecord("note")) })
        #expect(both.expected.contains("missing: pledge, date, quantity"))
    }

    @Test("an unknown column refuses the file and is named")
    func unknownColumn() throws {
        let refused = try #require(refusal { try DeliveryCSV(header: csvRecord("pledge,date,quantity,amount,comment")) })
        #expect(refused.field == "header")
        #expect(refused.value == "amount,comment")
        #expect(refused.expected.contains("idempotency_key"))
    }

    @Test("a trailing comma in the header is an unnamed, unknown column")
    func trailingCommaInHeader() {
        #expect(refusal { try DeliveryCSV(header: csvRecord("pledge,date,quantity,")) }?.field == "header")
    }

    @Test("a column named twice refuses the file, even when the names differ in case")
    func duplicateColumn() throws {
        let refused = try #require(refusal { try DeliveryCSV(header: csvRecord("pledge,date,quantity,note,Note")) })
        #expect(refused.field == "header")
        #expect(refused.value == "note")
        #expect(refused.expected == "each column once")
        #expect(refusal { try DeliveryCSV(header: csvRecord("pledge,date,quantity,date")) }?.value == "date")
    }

    @Test("a header that is not valid UTF-8 is refused with its line")
    func invalidHeader() throws {
        let header = csvRecords(bytes: [0x70, 0xFF, 0x0A])[0]
        let refused = try #require(refusal { try DeliveryCSV(header: header) })
        #expect(refused.field == "header (line 1)")
        #expect(refused.expected.contains("not valid UTF-8"))
    }

    @Test("a row with more or fewer fields than the header is a problem on its own line")
    func wrongFieldCount() throws {
        let rows = try read("pledge,date,quantity\neu-1m-rounds,2023-11-14\nok,2023-11-14,1\neu,2023-11-14,1,extra\n")
        #expect(rows.count == 3)
        guard case .failure(let short) = rows[0], case .failure(let long) = rows[2] else {
            Issue.record("rows with the wrong number of fields were accepted: \(rows)")
            return
        }
        #expect(short == RowProblem(line: 2, reason: "expected 3 fields as in the header, found 2"))
        #expect(long == RowProblem(line: 4, reason: "expected 3 fields as in the header, found 4"))
        #expect((try? rows[1].get()) != nil)
    }

    @Test("a row the reader could not read keeps the reader's problem and line")
    func unreadableRow() throws {
        let layout = try DeliveryCSV(header: csvRecord("pledge,date,quantity"))
        let records = csvRecords(bytes: Array("pledge,date,quantity\n\n\"x\n\",2023-11-14,".utf8) + [0xFE] + [0x0A])
        guard case .failure(let problem) = layout.values(of: records[1]) else {
            Issue.record("a row that is not UTF-8 was accepted")
            return
        }
        #expect(problem == RowProblem(line: 3, reason: "the line is not valid UTF-8"))
    }
}
