import Foundation

/// A pledge to add, validated field by field.
public struct NewPledge: Sendable, Equatable {
    public var publicID: String
    public var donor: String
    public var recipient: String
    public var title: String
    public var category: PledgeCategory
    public var unit: PledgeUnit
    public var target: Decimal
    public var announcedOn: CalendarDate
    public var countsFrom: CalendarDate
    public var deadline: CalendarDate
    public var status: PledgeStatus
    public var source: String
    public var notes: String

    /// Validates raw text as an administrator typed it; the first bad field is named in the error.
    public init(
        publicID: String, donor: String, recipient: String, title: String, category: String, unit: String,
        target: String, announced: String, countsFrom: String?, deadline: String, status: String, source: String,
        notes: String
    ) throws(InputError) {
        self.publicID = try PledgeID.validate(publicID)
        self.donor = try FreeText.validate(donor, field: "donor", maxLength: 200, required: true)
        self.recipient = try FreeText.validate(recipient, field: "recipient", maxLength: 200, required: true)
        self.title = try FreeText.validate(title, field: "title", maxLength: 500, required: true)
        self.category = try PledgeCategory.parse(category)
        self.unit = try PledgeUnit.parse(unit)
        self.target = try Quantity.parsePositive(target, field: "target", scale: self.unit.scale)
        self.announcedOn = try CalendarDate.parse(announced, field: "announced")
        self.countsFrom = try countsFrom.map { text throws(InputError) in try CalendarDate.parse(text, field: "counts-from") } ?? announcedOn
        self.deadline = try CalendarDate.parse(deadline, field: "deadline")
        let parsedStatus = try PledgeStatus.parse(status)
        guard parsedStatus != .withdrawn else {
            throw .invalid(field: "status", value: status, expected: "proposed or committed (withdraw an existing pledge instead)")
        }
        self.status = parsedStatus
        self.source = try FreeText.validate(source, field: "source", maxLength: 2000)
        self.notes = try FreeText.validate(notes, field: "notes", maxLength: 10_000, lines: .multiple)
        guard self.deadline > self.countsFrom else {
            throw .invalid(field: "deadline", value: deadline, expected: "a date after the counting start \(self.countsFrom)")
        }
        guard self.countsFrom.days(until: self.announcedOn) <= 366 else {
            throw .invalid(field: "counts-from", value: self.countsFrom.description, expected: "at most a year before the announcement")
        }
    }
}

/// A delivery to record, validated as far as it can be without the database.
public struct NewDelivery: Sendable, Equatable {
    public var pledgeID: String
    public var date: CalendarDate
    /// The raw quantity text: its scale is checked against the pledge's unit (or the currency) by the store.
    public var quantityText: String
    /// Set when the amount is in a currency other than the pledge's.
    public var currency: String?
    public var contributor: String?
    public var source: String
    public var note: String
    public var idempotencyKey: String?

    public init(
        pledgeID: String, date: String, quantity: String, currency: String?, contributor: String?, source: String,
        note: String, idempotencyKey: String?
    ) throws(InputError) {
        self.pledgeID = try PledgeID.validate(pledgeID)
        self.date = try CalendarDate.parse(date, field: "date")
        // Shape only here (positive, decimal, no more places than any unit takes); the unit's own scale is
        // checked once the pledge is known, so this message must not speak for the unit.
        if (try? Quantity.parsePositive(quantity, field: "quantity", scale: 6)) == nil {
            _ = try Quantity.parsePositive(quantity, field: "quantity", scale: 38)
            throw .invalid(field: "quantity", value: quantity, expected: "at most 6 decimal places (no unit takes more; the pledge's unit may take fewer)")
        }
        self.quantityText = quantity
        if let currency {
            guard case .currency = try PledgeUnit.parse(currency, field: "currency") else {
                throw .invalid(field: "currency", value: currency, expected: "an ISO 4217 code such as EUR or USD")
            }
        }
        self.currency = currency
        self.contributor = try contributor.map { text throws(InputError) in
            try FreeText.validate(text, field: "contributor", maxLength: 200, required: true)
        }
        self.source = try FreeText.validate(source, field: "source")
        self.note = try FreeText.validate(note, field: "note", lines: .multiple)
        self.idempotencyKey = try idempotencyKey.map { key throws(InputError) in try IdempotencyKey.validate(key) }
    }

    /// The quantity, checked against the unit's decimal places.
    public func quantity(scale: Int) throws(InputError) -> Decimal {
        try Quantity.parsePositive(quantityText, field: "quantity", scale: scale)
    }
}

/// Who is acting: `--by`, else the operating-system user.
public enum Actor {
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(InputError) -> String {
        // Said explicitly, the name must be one; only an unnamed operating-system user is "unknown".
        if let explicit { return try FreeText.validate(explicit, field: "by", maxLength: 200, required: true) }
        let name = environment["USER"] ?? environment["LOGNAME"] ?? NSUserName()
        return try FreeText.validate(name.isEmpty ? "unknown" : name, field: "by", maxLength: 200, required: true)
    }
}

/// What makes a retry the same request: any 1 to 200 characters (counted as the ledger's check counts,
/// in code points) that a free-text field on one line could hold.
public enum IdempotencyKey {
    public static func validate(_ key: String) throws(InputError) -> String {
        guard (1...200).contains(key.unicodeScalars.count) else {
            throw .invalid(field: "idempotency-key", value: key, expected: "1 to 200 characters")
        }
        if let found = FreeText.firstRefused(in: key, lines: .single) {
            throw .invalid(field: "idempotency-key", value: key, expected: FreeText.expectation(found, lines: .single))
        }
        return key
    }
}
