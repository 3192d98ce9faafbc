import Foundation
import PledgeCore
import Testing

@Suite("ECBRates")
struct ECBRatesTests {
    /// The rates of each data line of `text` (header first), read as the importer reads them.
    private func read(_ text: String) throws -> [Result<[ECBRates.Rate], RowProblem>] {
        let records = csvRecords(text)
        let rates = try ECBRates(header: records[0])
        return records.dropFirst().map(rates.rates(of:))
    }

    /// The row problem of `result`, or nil (and a recorded issue) when the row was accepted.
    private func problem(_ result: Result<[ECBRates.Rate], RowProblem>) -> RowProblem? {
        guard case .failure(let problem) = result else {
            Issue.record("expected a row problem, got \(result)")
            return nil
        }
        return problem
    }

    @Test("the eurofxref layout, with its trailing comma, gives one exact rate per currency")
    func eurofxref() throws {
        let rows = try read("Date,USD,JPY,\n2024-01-02,1.0956,155.86,\n2023-12-29,1.1050,156.33,\n")
        let day = try #require(CalendarDate(iso: "2024-01-02"))
        let first = try rows[0].get()
        #expect(first.map(\.quote) == ["USD", "JPY"])
        #expect(first.map(\.date) == [day, day])
        #expect(first.map(\.rate) == [exactDecimal(digits: "10956", decimals: 4), exactDecimal(digits: "15586", decimals: 2)])
        #expect(try rows[1].get().map(\.rate) == [exactDecimal(digits: "11050", decimals: 4), exactDecimal(digits: "15633", decimals: 2)])
    }

    @Test("N/A and empty values are skipped, not refused")
    func notAvailable() throws {
        let rows = try read("Date,USD,ISK,JPY,\n2024-01-02,1.0956,N/A,,\n2024-01-03, N/A ,150.1,155.86,\n")
        #expect(try rows[0].get().map(\.quote) == ["USD"])
        #expect(try rows[1].get().map(\.quote) == ["ISK", "JPY"])
    }

    @Test("a row may be shorter than the header, but not longer")
    func fieldCount() throws {
        let rows = try read("Date,USD,JPY,\n2024-01-02,1.0956\n2024-01-03,1.09,155.0,,\n")
        #expect(try rows[0].get().map(\.quote) == ["USD"])
        #expect(problem(rows[1]) == RowProblem(line: 3, reason: "more fields than the header names"))
    }

    @Test("a value that is not a positive number is reported with its line and currency")
    func badNumber() throws {
        let rows = try read("Date,USD,JPY,\n2024-01-02,1.0956,155.86,\n2024-01-03,1.09,abc,\n2024-01-04,0,155.0,\n")
        #expect((try? rows[0].get()) != nil)
        #expect(problem(rows[1]) == RowProblem(line: 3, reason: "JPY: \"abc\" is not a positive rate"))
        #expect(problem(rows[2]) == RowProblem(line: 4, reason: "USD: \"0\" is not a positive rate"))
        #expect(problem(try read("Date,USD,\n2024-01-02,-1.1,\n")[0])?.reason == "USD: \"-1.1\" is not a positive rate")
        #expect(problem(try read("Date,USD,\n2024-01-02,1e3,\n")[0])?.line == 2)
    }

    @Test("a first field that is not a date is reported with its line")
    func notADate() throws {
        let rows = try read("Date,USD,\n02/01/2024,1.0956,\n2024-02-30,1.09,\n,1.0,\n")
        #expect(problem(rows[0]) == RowProblem(line: 2, reason: "Date: \"02/01/2024\" is not a date as YYYY-MM-DD"))
        #expect(problem(rows[1])?.line == 3)
        #expect(problem(rows[2])?.line == 4)
    }

    @Test("a 100 KB value is shortened in the row's reason, as in every other message")
    func longValuesAreShortened() throws {
        let huge = String(repeating: "9x", count: 51_200)
        let rows = try read("Date,USD,\n2024-01-02,\(huge),\n\(huge),1.0,\n")
        #expect(rows.count == 2)
        for row in rows {
            // Checked as booleans so that a failure does not itself print 100 KB.
            let reason = problem(row)?.reason ?? ""
            let namesLength = reason.contains("(102400 characters)")
            let isShort = reason.count < 200
            #expect(namesLength)
            #expect(isShort)
        }
    }

    @Test("an unreadable row keeps the reader's problem and line")
    func unreadableRow() throws {
        let records = csvRecords(bytes: Array("Date,USD,\n2024-01-02,1.0".utf8) + [0xFF] + Array(",\n".utf8))
        let rates = try ECBRates(header: records[0])
        #expect(problem(rates.rates(of: records[1])) == RowProblem(line: 2, reason: "the line is not valid UTF-8"))
    }

    @Test("the header must start with Date and name at least one more column")
    func badHeader() throws {
        #expect(refusal { try ECBRates(header: csvRecord("Day,USD,")) }?.field == "header")
        #expect(refusal { try ECBRates(header: csvRecord("Date")) }?.field == "header")
        #expect(refusal { try ECBRates(header: csvRecord("date,USD")) }?.field == "header")
        #expect(refusal { try ECBRates(header: csvRecord(" Date , USD ")) } == nil)
    }

    @Test("every other header column must be an ISO 4217 code")
    func currencyColumns() throws {
        let lowercase = try #require(refusal { try ECBRates(header: csvRecord("Date,USD,jpy,")) })
        #expect(lowercase.field == "currency column")
        #expect(lowercase.value == "jpy")
        #expect(refusal { try ECBRates(header: csvRecord("Date,US Dollar,")) }?.field == "currency column")
    }

    @Test("a currency named twice, or EUR (the base), is refused by name")
    func repeatedOrBaseColumns() throws {
        let twice = try #require(refusal { try ECBRates(header: csvRecord("Date,USD,JPY,USD,")) })
        #expect((twice.field, twice.value) == ("currency column", "USD"))
        let base = try #require(refusal { try ECBRates(header: csvRecord("Date,USD,EUR,")) })
        #expect((base.field, base.value) == ("currency column", "EUR"))
    }
}
