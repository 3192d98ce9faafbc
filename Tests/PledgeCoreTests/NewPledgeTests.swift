import Foundation
import PledgeCore
import Testing

/// A pledge as an administrator might type it; each test changes the fields it is about.
private struct PledgeForm {
    var publicID = "eu-1m-rounds"
    var donor = "European Union"
    var recipient = "Ukraine"
    var title = "One million rounds of artillery ammunition within 12 months"
    var category = "military"
    var unit = "rounds"
    var target = "1,000,000"
    var announced = "2023-03-20"
    var countsFrom: String? = nil
    var deadline = "2024-03-31"
    var status = "committed"
    var source = "Council of the EU, 2023-03-20"
    var notes = ""

    func submit() throws(InputError) -> NewPledge {
        try NewPledge(
            publicID: publicID, donor: donor, recipient: recipient, title: title, category: category, unit: unit,
            target: target, announced: announced, countsFrom: countsFrom, deadline: deadline, status: status,
            source: source, notes: notes)
    }

    /// The field named by the refusal of this form, or nil when it was accepted.
    func refusedField() -> String? { refusal { try submit() }?.field }

    func with(_ change: (inout PledgeForm) -> Void) -> PledgeForm {
        var copy = self
        change(&copy)
        return copy
    }
}

@Suite("NewPledge")
struct NewPledgeTests {
    @Test("a well-formed pledge is parsed field by field, counting from its announcement by default")
    func accepted() throws {
        let pledge = try PledgeForm().submit()
        #expect(pledge.publicID == "eu-1m-rounds")
        #expect(pledge.category == .military)
        #expect(pledge.unit == .count("rounds"))
        #expect(pledge.target == 1_000_000)
        #expect(pledge.announcedOn == CalendarDate(iso: "2023-03-20"))
        #expect(pledge.countsFrom == pledge.announcedOn)
        #expect(pledge.deadline == CalendarDate(iso: "2024-03-31"))
        #expect(pledge.status == .committed)
    }

    @Test("a currency pledge may have cents, and may count from a later day than its announcement")
    func currencyPledge() throws {
        let pledge = try PledgeForm().with {
            $0.unit = "EUR"
            $0.target = "8000000000.50"
            $0.announced = "2023-11-14"
            $0.countsFrom = "2024-01-01"
            $0.deadline = "2024-12-31"
        }.submit()
        #expect(pledge.unit == .currency("EUR"))
        #expect(pledge.target == exactDecimal(digits: "800000000050", decimals: 2))
        #expect(pledge.countsFrom == CalendarDate(iso: "2024-01-01"))
    }

    @Test("each bad field is refused by its own name")
    func namesTheBadField() {
        let form = PledgeForm()
        #expect(form.with { $0.publicID = "EU 1M" }.refusedField() == "pledge id")
        #expect(form.with { $0.donor = "  " }.refusedField() == "donor")
        #expect(form.with { $0.recipient = "" }.refusedField() == "recipient")
        #expect(form.with { $0.title = String(repeating: "t", count: 501) }.refusedField() == "title")
        #expect(form.with { $0.category = "naval" }.refusedField() == "category")
        #expect(form.with { $0.unit = "Rounds" }.refusedField() == "unit")
        #expect(form.with { $0.target = "0" }.refusedField() == "target")
        #expect(form.with { $0.target = "1000.5" }.refusedField() == "target")
        #expect(form.with { $0.announced = "2023-02-30" }.refusedField() == "announced")
        #expect(form.with { $0.countsFrom = "2023-3-20" }.refusedField() == "counts-from")
        #expect(form.with { $0.deadline = "31/03/2024" }.refusedField() == "deadline")
        #expect(form.with { $0.status = "pending" }.refusedField() == "status")
        #expect(form.with { $0.source = String(repeating: "s", count: 2001) }.refusedField() == "source")
        #expect(form.with { $0.notes = "nul\u{0}" }.refusedField() == "notes")
    }

    @Test("when several fields are bad, the first one in the form is named")
    func firstBadFieldWins() {
        let form = PledgeForm().with {
            $0.publicID = "Bad"
            $0.target = "-1"
            $0.deadline = "never"
        }
        #expect(form.refusedField() == "pledge id")
        #expect(form.with { $0.publicID = "ok" }.refusedField() == "target")
    }

    @Test("a new pledge cannot start withdrawn")
    func notWithdrawn() throws {
        let refused = try #require(refusal { try PledgeForm().with { $0.status = "withdrawn" }.submit() })
        #expect(refused.field == "status")
        #expect(refused.expected.contains("withdraw an existing pledge"))
        #expect(try PledgeForm().with { $0.status = "proposed" }.submit().status == .proposed)
    }

    @Test("the deadline must fall after the day counting starts, not on it")
    func deadlineAfterStart() throws {
        let onTheDay = try #require(refusal { try PledgeForm().with { $0.deadline = "2023-03-20" }.submit() })
        #expect(onTheDay.field == "deadline")
        #expect(onTheDay.expected.contains("2023-03-20"))
        #expect(PledgeForm().with { $0.deadline = "2023-03-21" }.refusedField() == nil)
        let beforeStart = PledgeForm().with {
            $0.countsFrom = "2024-01-01"
            $0.deadline = "2023-12-31"
        }
        #expect(beforeStart.refusedField() == "deadline")
    }

    @Test("counting may start at most 366 days before the announcement")
    func countingStartLimit() throws {
        let yearBefore = PledgeForm().with {
            $0.announced = "2024-01-01"
            $0.countsFrom = "2023-06-01"
        }
        #expect(yearBefore.refusedField() == nil)
        #expect(yearBefore.with { $0.countsFrom = "2022-12-31" }.refusedField() == nil)  // 366 days before
        let refused = try #require(refusal { try yearBefore.with { $0.countsFrom = "2022-12-30" }.submit() })
        #expect(refused.field == "counts-from")
        #expect(refused.value == "2022-12-30")
    }
}
