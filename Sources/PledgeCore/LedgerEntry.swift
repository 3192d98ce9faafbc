import Foundation

/// The kinds of ledger entry. The ledger is append-only: voids and corrections are entries too.
public enum LedgerEntryKind: String, Sendable, Codable {
    /// A quantity delivered on a date.
    case delivery
    /// A cumulative total reported on a date, stored as its increment over the previous total.
    case report
    /// Reverses an earlier entry.
    case void
    /// Replaces an earlier entry's quantity (stores the difference).
    case correction
}

/// One row of the delivery ledger as stored.
public struct LedgerEntry: Sendable, Equatable, Codable {
    public var id: Int
    public var pledgeID: String
    public var kind: LedgerEntryKind
    public var date: CalendarDate
    /// Signed, in the pledge's unit: what this entry adds to the cumulative total.
    public var quantity: Decimal
    /// For reports: the total as reported.
    public var reportedTotal: Decimal?
    /// For deliveries in another currency: the amount and currency as entered, and the rate used.
    public var originalQuantity: Decimal?
    public var originalCurrency: String?
    public var fxRate: Decimal?
    public var contributor: String?
    /// For voids and corrections: the entry they apply to.
    public var correctsID: Int?
    public var reason: String
    public var source: String
    public var note: String
    public var recordedBy: String
    public var recordedAt: Date
    public var idempotencyKey: String?
    /// Set when a later void reversed this entry.
    public var voidedBy: Int?

    public init(
        id: Int, pledgeID: String, kind: LedgerEntryKind, date: CalendarDate, quantity: Decimal, reportedTotal: Decimal?,
        originalQuantity: Decimal?, originalCurrency: String?, fxRate: Decimal?, contributor: String?, correctsID: Int?,
        reason: String, source: String, note: String, recordedBy: String, recordedAt: Date, idempotencyKey: String?,
        voidedBy: Int?
    ) {
        self.id = id
        self.pledgeID = pledgeID
        self.kind = kind
        self.date = date
        self.quantity = quantity
        self.reportedTotal = reportedTotal
        self.originalQuantity = originalQuantity
        self.originalCurrency = originalCurrency
        self.fxRate = fxRate
        self.contributor = contributor
        self.correctsID = correctsID
        self.reason = reason
        self.source = source
        self.note = note
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
        self.idempotencyKey = idempotencyKey
        self.voidedBy = voidedBy
    }
}
