import PledgeCore
import Testing

@Suite("InputError")
struct InputErrorTests {
    @Test("an invalid value names the field, quotes the value and says what was expected")
    func invalidDescription() {
        let error = InputError.invalid(field: "target", value: "abc", expected: "a decimal number such as 300000 or 1250.50")
        #expect(error.description == #"invalid target: "abc" (expected a decimal number such as 300000 or 1250.50)"#)
    }

    @Test("the errors the parsers throw read as one sentence an administrator can act on")
    func parserErrorsReadWell() throws {
        let error = try #require(catching { try CalendarDate.parse("2023-02-30", field: "deadline") })
        #expect(error.description == #"invalid deadline: "2023-02-30" (expected a real calendar date as YYYY-MM-DD)"#)
    }

    @Test("not found, conflict and bad rows have their own wording")
    func otherCases() {
        #expect(InputError.notFound(what: "pledge", id: "eu-2m-rounds").description == #"no pledge "eu-2m-rounds""#)
        #expect(InputError.conflict("pledge eu-1m-rounds is withdrawn").description == "pledge eu-1m-rounds is withdrawn")
        let one = InputError.invalidRows([RowProblem(line: 7, reason: "date: missing")])
        #expect(one.description == "1 bad row, nothing imported:\n  line 7: date: missing")
        let two = InputError.invalidRows([
            RowProblem(line: 2, reason: "pledge: missing"), RowProblem(line: 9, reason: "quantity: missing"),
        ])
        #expect(two.description == "2 bad rows, nothing imported:\n  line 2: pledge: missing\n  line 9: quantity: missing")
    }

    @Test("a 100 KB value is cut to its first 77 characters and its length")
    func longValueIsShortened() {
        let value = String(repeating: "0123456789", count: 10_240)
        let description = InputError.invalid(field: "note", value: value, expected: "at most 2000 characters").description
        #expect(description == "invalid note: \"\(value.prefix(77))…\" (102400 characters) (expected at most 2000 characters)")
        #expect(description.count < 200)
        let notFound = InputError.notFound(what: "pledge", id: value).description
        #expect(notFound.count < 200)
        #expect(notFound.hasSuffix("(102400 characters)"))
    }

    @Test("values of up to 80 characters are shown whole; 81 are cut")
    func shorteningThreshold() {
        let eighty = String(repeating: "é", count: 80)
        #expect(InputError.invalid(field: "f", value: eighty, expected: "e").description == "invalid f: \"\(eighty)\" (expected e)")
        let eightyOne = eighty + "x"
        let cut = InputError.invalid(field: "f", value: eightyOne, expected: "e").description
        #expect(cut == "invalid f: \"\(eighty.prefix(77))…\" (81 characters) (expected e)")
    }

    @Test("errors compare by value")
    func equatable() {
        #expect(InputError.invalid(field: "a", value: "b", expected: "c") == .invalid(field: "a", value: "b", expected: "c"))
        #expect(InputError.invalid(field: "a", value: "b", expected: "c") != .invalid(field: "a", value: "x", expected: "c"))
        #expect(InputError.invalidRows([RowProblem(line: 1, reason: "r")]) != .invalidRows([RowProblem(line: 2, reason: "r")]))
    }
}

/// The error `body` threw, or nil when it succeeded.
private func catching<T>(_ body: () throws -> T) -> InputError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? InputError
    }
}
