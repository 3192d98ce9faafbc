import Foundation
import PledgeCore
import Testing

/// A delivery as an administrator might type it; each test changes the fields it is about.
private struct DeliveryForm {
    var pledgeID = "eu-1m-rounds"
    var date = "2023-11-14"
    var quantity = "300000"
    var currency: String? = nil
    var contributor: String? = nil
    var source = "EU press release"
    var note = ""
    var idempotencyKey: String? = nil

    func submit() throws(InputError) -> NewDelivery {
        try NewDelivery(
            pledgeID: pledgeID, date: date, quantity: quantity, currency: currency, contributor: contributor,
            source: source, note: note, idempotencyKey: idempotencyKey)
    }

    func refusedField() -> String? { refusal { try submit() }?.field }

    func with(_ change: (inout DeliveryForm) -> Void) -> DeliveryForm {
        var copy = self
        change(&copy)
        return copy
    }
}

@Suite("NewDelivery")
struct NewDeliveryTests {
    @Test("a well-formed delivery keeps its quantity text for the store to check against the unit")
    func accepted() throws {
        let delivery = try DeliveryForm().with {
            $0.quantity = "1,250.50"
            $0.currency = "USD"
            $0.contributor = "Germany"
            $0.idempotencyKey = "import-2023-11-14#7"
        }.submit()
        #expect(delivery.pledgeID == "eu-1m-rounds")
        #expect(delivery.date == CalendarDate(iso: "2023-11-14"))
        #expect(delivery.quantityText == "1,250.50")
        #expect(delivery.currency == "USD")
        #expect(delivery.contributor == "Germany")
        #expect(delivery.idempotencyKey == "import-2023-11-14#7")
        #expect(try delivery.quantity(scale: 2) == exactDecimal(digits: "125050", decimals: 2))
    }

    @Test("the quantity's places are checked against the unit only when the scale is known")
    func quantityScale() throws {
        let delivery = try DeliveryForm().with { $0.quantity = "1.5" }.submit()
        let refused = try #require(refusal { try delivery.quantity(scale: 0) })
        #expect(refused.field == "quantity")
        #expect(refused.expected == "a whole number for this unit")
        #expect(try delivery.quantity(scale: 1) == exactDecimal(digits: "15", decimals: 1))
        #expect(DeliveryForm().with { $0.quantity = "0.0000001" }.refusedField() == "quantity")
        // Before the pledge is known, the message does not claim to be the unit's limit.
        let tooFine = try #require(refusal { try DeliveryForm().with { $0.quantity = "1.1234567" }.submit() })
        #expect(tooFine.expected == "at most 6 decimal places (no unit takes more; the pledge's unit may take fewer)")
        let notANumber = try #require(refusal { try DeliveryForm().with { $0.quantity = "12abc" }.submit() })
        #expect(notANumber.expected.hasPrefix("a decimal number"))
    }

    @Test("each bad field is refused by its own name")
    func namesTheBadField() {
        let form = DeliveryForm()
        #expect(form.with { $0.pledgeID = "" }.refusedField() == "pledge id")
        #expect(form.with { $0.date = "2023-11-31" }.refusedField() == "date")
        #expect(form.with { $0.quantity = "-300" }.refusedField() == "quantity")
        #expect(form.with { $0.quantity = "0" }.refusedField() == "quantity")
        #expect(form.with { $0.quantity = "lots" }.refusedField() == "quantity")
        #expect(form.with { $0.currency = "EURO" }.refusedField() == "currency")
        #expect(form.with { $0.contributor = " " }.refusedField() == "contributor")
        #expect(form.with { $0.contributor = String(repeating: "c", count: 201) }.refusedField() == "contributor")
        #expect(form.with { $0.source = String(repeating: "s", count: 2001) }.refusedField() == "source")
        #expect(form.with { $0.note = "\u{0}" }.refusedField() == "note")
    }

    @Test("a count unit is not a currency")
    func currencyMustBeCurrency() throws {
        let refused = try #require(refusal { try DeliveryForm().with { $0.currency = "rounds" }.submit() })
        #expect(refused.field == "currency")
        #expect(refused.value == "rounds")
        #expect(refused.expected.contains("ISO 4217"))
    }

    @Test("an idempotency key has 1 to 200 printable characters")
    func idempotencyKey() {
        let form = DeliveryForm()
        #expect(form.with { $0.idempotencyKey = String(repeating: "k", count: 200) }.refusedField() == nil)
        #expect(form.with { $0.idempotencyKey = String(repeating: "k", count: 201) }.refusedField() == "idempotency-key")
        #expect(form.with { $0.idempotencyKey = "" }.refusedField() == "idempotency-key")
        #expect(form.with { $0.idempotencyKey = "line\nbreak" }.refusedField() == "idempotency-key")
        #expect(form.with { $0.idempotencyKey = "tab\there" }.refusedField() == "idempotency-key")
        // Counted in code points, as the ledger's check counts: 150 accented e's are 300.
        #expect(form.with { $0.idempotencyKey = String(repeating: "e\u{301}", count: 100) }.refusedField() == nil)
        #expect(form.with { $0.idempotencyKey = String(repeating: "e\u{301}", count: 150) }.refusedField() == "idempotency-key")
    }
}

@Suite("Actor")
struct ActorTests {
    @Test("an explicit --by wins over the environment")
    func explicitWins() throws {
        #expect(try Actor.resolve("alice", environment: ["USER": "bob"]) == "alice")
    }

    @Test("without --by, USER is used, then LOGNAME")
    func environment() throws {
        #expect(try Actor.resolve(nil, environment: ["USER": "bob", "LOGNAME": "carol"]) == "bob")
        #expect(try Actor.resolve(nil, environment: ["LOGNAME": "carol"]) == "carol")
    }

    @Test("an unnamed operating-system user becomes unknown; an explicit empty or blank --by is refused")
    func emptyAndBlank() throws {
        // `--by "$OPERATOR"` with the variable unset is a script's mistake, not a name.
        #expect(refusal { try Actor.resolve("", environment: ["USER": "bob"]) }?.field == "by")
        #expect(try Actor.resolve(nil, environment: ["USER": ""]) == "unknown")
        #expect(refusal { try Actor.resolve("   ", environment: [:]) }?.field == "by")
        #expect(refusal { try Actor.resolve(String(repeating: "a", count: 201), environment: [:]) }?.field == "by")
    }
}
