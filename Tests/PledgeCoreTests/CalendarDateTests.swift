import Foundation
@testable import PledgeCore
import PropertyBased
import Testing

/// Days since 1970-01-01 of the first and last dates `CalendarDate` can spell (0001-01-01, 9999-12-31).
private let firstDay = -719_162
private let lastDay = 2_932_896

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test("1970-01-01 is day zero, and known dates land on their known day numbers")
    func fixedValues() throws {
        #expect(CalendarDate(iso: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDate(iso: "1969-12-31")?.daysSinceEpoch == -1)
        #expect(CalendarDate(iso: "2000-01-01")?.daysSinceEpoch == 10_957)
        #expect(CalendarDate(iso: "2000-03-01")?.daysSinceEpoch == 11_017)
        #expect(CalendarDate(iso: "2023-11-14")?.daysSinceEpoch == 19_675)
        #expect(CalendarDate(iso: "0001-01-01")?.daysSinceEpoch == firstDay)
        #expect(CalendarDate(iso: "9999-12-31")?.daysSinceEpoch == lastDay)
    }

    @Test("the EU's million-rounds pledge was 239 days old on 2023-11-14")
    func daysBetweenAnnouncementAndArticle() throws {
        let announced = try #require(CalendarDate(iso: "2023-03-20"))
        let article = try #require(CalendarDate(iso: "2023-11-14"))
        #expect(announced.days(until: article) == 239)
        #expect(article.days(until: announced) == -239)
        #expect(announced.adding(days: 239) == article)
    }

    @Test(
        "strict YYYY-MM-DD parsing refuses impossible dates and other spellings",
        arguments: [
            "2023-02-30", "2023-13-01", "2023-1-01", "", "2023-04-31", "2023-00-10", "2023-01-00", "0000-01-01",
            "1900-02-29", "2100-02-29", "2023/01/01", "2023-01-01T00:00", " 2023-01-01", "2023-01-01 ", "+023-01-01",
            "2023-01-0a", "20230101", "２０２３-01-01", "2023-01-001", "-2023-01-01",
        ])
    func refusesMalformed(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test(
        "leap days, and the first and last representable days, are accepted",
        arguments: ["2024-02-29", "2000-02-29", "1600-02-29", "0001-01-01", "9999-12-31", "2023-12-31"])
    func acceptsValid(text: String) throws {
        let date = try #require(CalendarDate(iso: text))
        #expect(date.description == text)
    }

    @Test("components and the year/month/day initialiser agree, and reject days outside the month")
    func components() throws {
        let date = try #require(CalendarDate(year: 2024, month: 2, day: 29))
        #expect(date.components == (2024, 2, 29))
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 10_000, month: 1, day: 1) == nil)
        #expect(CalendarDate(year: 0, month: 12, day: 31) == nil)
        #expect(CalendarDate(year: 2023, month: 6, day: 31) == nil)
    }

    @Test("parse names the field and the value it refused")
    func parseNamesField() throws {
        #expect(try CalendarDate.parse("2024-02-29", field: "deadline") == CalendarDate(year: 2024, month: 2, day: 29))
        let refused = try #require(refusal { try CalendarDate.parse("2023-02-30", field: "deadline") })
        #expect(refused.field == "deadline")
        #expect(refused.value == "2023-02-30")
        #expect(refused.expected.contains("YYYY-MM-DD"))
    }

    @Test("today is the UTC day containing the instant, rounding down before the epoch too")
    func today() {
        #expect(CalendarDate.today(now: Date(timeIntervalSince1970: 0)).daysSinceEpoch == 0)
        #expect(CalendarDate.today(now: Date(timeIntervalSince1970: 86_399.9)).daysSinceEpoch == 0)
        #expect(CalendarDate.today(now: Date(timeIntervalSince1970: 86_400)).daysSinceEpoch == 1)
        #expect(CalendarDate.today(now: Date(timeIntervalSince1970: -1)).daysSinceEpoch == -1)
        #expect(CalendarDate.today(now: Date(timeIntervalSince1970: 1_700_000_000)).description == "2023-11-14")
    }

    @Test("encodes to JSON as a YYYY-MM-DD string and refuses to decode an impossible date")
    func codable() throws {
        let date = try #require(CalendarDate(iso: "2023-11-14"))
        let json = try JSONEncoder().encode([date])
        #expect(String(decoding: json, as: UTF8.self) == #"["2023-11-14"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: json) == [date])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CalendarDate].self, from: Data(#"["2023-02-30"]"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CalendarDate].self, from: Data("[19675]".utf8))
        }
    }

    // MARK: Properties

    @Test("every representable day survives printing and parsing")
    func descriptionRoundTrips() async {
        await propertyCheck(count: 500, input: Gen.int(in: firstDay...lastDay)) { day in
            let date = CalendarDate(daysSinceEpoch: day)
            #expect(CalendarDate(iso: date.description) == date)
            let (year, month, dayOfMonth) = date.components
            #expect(CalendarDate(year: year, month: month, day: dayOfMonth) == date)
        }
    }

    /// Printed digit by digit for years 0–9999: the same text as the padded form, for any day at all; and
    /// appended as bytes, the same bytes.
    @Test("a date prints (and appends) as its padded components, inside and outside years 0–9999")
    func descriptionIsPaddedComponents() async {
        await propertyCheck(count: 1_000, input: Gen.int(in: -1_000_000...3_500_000)) { day in
            let date = CalendarDate(daysSinceEpoch: day)
            let (year, month, dayOfMonth) = date.components
            #expect(date.description == CalendarDate.padded(year, month, dayOfMonth))
            var bytes: [UInt8] = [UInt8(ascii: "x")]
            date.appendISO(to: &bytes)
            #expect(bytes == [UInt8(ascii: "x")] + Array(date.description.utf8), "\(day)")
        }
        #expect(CalendarDate(iso: "2023-03-20")!.description == "2023-03-20")
        #expect(CalendarDate(year: 987, month: 1, day: 9)!.description == "0987-01-09")
    }

    @Test("adding days and counting days until are inverse")
    func addingAndCountingAgree() async {
        await propertyCheck(count: 500, input: Gen.int(in: firstDay...lastDay), Gen.int(in: firstDay...lastDay)) { a, b in
            let start = CalendarDate(daysSinceEpoch: a)
            let end = CalendarDate(daysSinceEpoch: b)
            let gap = start.days(until: end)
            #expect(start.adding(days: gap) == end)
            #expect(end.days(until: start) == -gap)
            #expect(start.adding(days: gap).adding(days: -gap) == start)
        }
    }

    @Test("ordering follows the day number, and so does the ISO text")
    func orderingMatchesDayNumber() async {
        await propertyCheck(count: 500, input: Gen.int(in: firstDay...lastDay), Gen.int(in: firstDay...lastDay)) { a, b in
            let first = CalendarDate(daysSinceEpoch: a)
            let second = CalendarDate(daysSinceEpoch: b)
            #expect((first < second) == (a < b))
            #expect((first == second) == (a == b))
            #expect((first < second) == (first.description < second.description))
        }
    }

    @Test("the next day is the next day of the month, or the first of the next month")
    func successorRollsOver() async {
        await propertyCheck(count: 500, input: Gen.int(in: firstDay...(lastDay - 1))) { day in
            let today = CalendarDate(daysSinceEpoch: day).components
            let tomorrow = CalendarDate(daysSinceEpoch: day + 1).components
            if tomorrow.day == 1 {
                #expect(CalendarDate(year: today.year, month: today.month, day: today.day + 1) == nil)
                let rolledYear = today.month == 12
                #expect(tomorrow.month == (rolledYear ? 1 : today.month + 1))
                #expect(tomorrow.year == (rolledYear ? today.year + 1 : today.year))
            } else {
                #expect(tomorrow == (today.year, today.month, today.day + 1))
            }
        }
    }

    @Test("the day matches Foundation's Gregorian calendar in UTC (an independent oracle)")
    func agreesWithFoundation() async throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        // Foundation switches to the Julian calendar before 1582; compare well after that.
        await propertyCheck(count: 300, input: Gen.int(in: -25_567...84_000)) { day in
            let instant = Date(timeIntervalSince1970: Double(day) * 86_400)
            let expected = calendar.dateComponents([.year, .month, .day], from: instant)
            let actual = CalendarDate(daysSinceEpoch: day).components
            #expect(actual.year == expected.year)
            #expect(actual.month == expected.month)
            #expect(actual.day == expected.day)
        }
    }
}
