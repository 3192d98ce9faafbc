import Foundation
import PledgeCore
import Testing

@Suite("Pledge identifiers, free text, categories and terms")
struct PledgeTests {
    // MARK: PledgeID

    @Test("lowercase slugs are valid pledge ids", arguments: ["eu-1m-rounds", "a", "de-8bn-2024", "x-", "9"])
    func validIDs(text: String) throws {
        #expect(try PledgeID.validate(text) == text)
    }

    @Test(
        "ids with capitals, spaces, underscores, a leading dash or non-ASCII letters are refused",
        arguments: ["", "-eu", "EU-1m", "eu_1m", "eu 1m", "eu.1m", "é-1m", "eu/1m", "eu-1m\n"])
    func invalidIDs(text: String) throws {
        let refused = try #require(refusal { try PledgeID.validate(text) })
        #expect(refused.field == "pledge id")
        #expect(refused.value == text)
    }

    @Test("an id may be 63 characters but not 64, and the refusal names the caller's field")
    func idLength() throws {
        let longest = String(repeating: "a", count: 63)
        #expect(try PledgeID.validate(longest) == longest)
        #expect(refusal { try PledgeID.validate(longest + "a") } != nil)
        #expect(refusal { try PledgeID.validate("Bad", field: "pledge") }?.field == "pledge")
    }

    // MARK: FreeText

    @Test("required text refuses blank input; optional text accepts it")
    func requiredText() throws {
        let refused = try #require(refusal { try FreeText.validate("  \t ", field: "donor", required: true) })
        #expect(refused.field == "donor")
        #expect(refused.expected == "a non-empty text")
        #expect(try FreeText.validate("", field: "notes") == "")
        #expect(try FreeText.validate(" European Union ", field: "donor", required: true) == " European Union ")
    }

    @Test("length is counted as PostgreSQL's length() counts it, in code points: what passes here the database's checks take")
    func textLength() throws {
        #expect(try FreeText.validate(String(repeating: "x", count: 10), field: "title", maxLength: 10).count == 10)
        let refused = try #require(refusal { try FreeText.validate(String(repeating: "x", count: 11), field: "title", maxLength: 10) })
        #expect(refused.expected == "at most 10 characters")
        // "é" as e and a combining accent: one character on screen, two code points.
        let accented = String(repeating: "e\u{301}", count: 5)
        #expect(try FreeText.validate(accented, field: "title", maxLength: 10) == accented)
        #expect(refusal { try FreeText.validate(accented + "e\u{301}", field: "title", maxLength: 10) }?.field == "title")
        #expect(refusal { try FreeText.validate(String(repeating: "x", count: 2001), field: "source") } != nil)
    }

    // MARK: Category and status

    @Test("categories and statuses parse from their exact lowercase names")
    func categoriesAndStatuses() throws {
        for category in PledgeCategory.allCases {
            #expect(try PledgeCategory.parse(category.rawValue) == category)
        }
        for status in PledgeStatus.allCases {
            #expect(try PledgeStatus.parse(status.rawValue) == status)
        }
        #expect(refusal { try PledgeCategory.parse("Military") }?.field == "category")
        #expect(refusal { try PledgeCategory.parse("naval") }?.field == "category")
        #expect(refusal { try PledgeStatus.parse("done") }?.field == "status")
    }

    // MARK: Terms in force

    private static func day(_ text: String) -> CalendarDate {
        // Literals in this file are valid dates; a typo fails the test that uses it, not the build.
        CalendarDate(iso: text) ?? CalendarDate(daysSinceEpoch: .min / 2)
    }

    private static func terms(_ revision: Int, target: Decimal, effective: String) -> PledgeTerms {
        PledgeTerms(
            revision: revision, target: target, deadline: day("2024-03-31"), effectiveOn: day(effective),
            reason: revision == 1 ? "announced" : "revised", recordedBy: "test")
    }

    private static let revised = Pledge(
        publicID: "eu-1m-rounds", donor: "European Union", recipient: "Ukraine", title: "One million rounds",
        category: .military, unit: .count("rounds"), announcedOn: day("2023-03-20"), countsFrom: day("2023-03-20"),
        status: .committed, source: "", notes: "",
        terms: [
            terms(1, target: 1_000_000, effective: "2023-03-20"),
            terms(2, target: 800_000, effective: "2023-09-01"),
            terms(3, target: 500_000, effective: "2023-11-14"),
        ])

    @Test("the terms in force are the latest revision effective on or before the day")
    func termsOnDay() {
        let pledge = Self.revised
        #expect(pledge.terms(on: Self.day("2023-03-20")).revision == 1)
        #expect(pledge.terms(on: Self.day("2023-08-31")).revision == 1)
        #expect(pledge.terms(on: Self.day("2023-09-01")).revision == 2)
        #expect(pledge.terms(on: Self.day("2023-11-13")).revision == 2)
        #expect(pledge.terms(on: Self.day("2023-11-14")).revision == 3)
        #expect(pledge.terms(on: Self.day("2030-01-01")).target == 500_000)
    }

    @Test("before any revision took effect, the original terms apply")
    func termsBeforeAnnouncement() {
        #expect(Self.revised.terms(on: Self.day("2022-01-01")).revision == 1)
        #expect(Self.revised.originalTerms.target == 1_000_000)
        #expect(Self.revised.currentTerms.revision == 3)
    }
}
