/// Turns an import's staging rows (`DeliveryCSV.values`) into finished ledger rows on the client, so a
/// clean file can be streamed with COPY straight into the ledger while the database stores the rows before.
///
/// It accepts only rows it can vouch for completely — a known, not withdrawn pledge, a date from the
/// pledge's start to today, a positive quantity within the unit's scale, no foreign currency, no
/// contributor, a key not repeated in the file, texts within their limits — and derives the content key
/// and payload hash exactly as the database's import does (`DeliveryImport`). Any other row is
/// declined (nil): the import then goes the database's way, which checks everything and words every
/// problem. Accepting here must imply acceptance there; declining is never wrong, only slower.
public struct DirectImportRows {
    /// What the check needs to know of a pledge.
    public struct Pledge: Sendable {
        public let id: Int
        public let unit: PledgeUnit
        /// Decimal places its quantities may have (the pledge's own `unit_scale`).
        public let unitScale: Int
        public let countsFrom: CalendarDate
        public let withdrawn: Bool

        public init(id: Int, unit: PledgeUnit, unitScale: Int, countsFrom: CalendarDate, withdrawn: Bool) {
            (self.id, self.unit, self.unitScale, self.countsFrom, self.withdrawn) = (id, unit, unitScale, countsFrom, withdrawn)
        }
    }

    /// The ledger columns of `ledgerRow`'s values, in order.
    public static let columns = [
        "pledge_id", "kind", "delivered_on", "quantity", "source", "note", "recorded_by", "idempotency_key", "payload_hash",
    ]

    private let pledges: [String: Pledge]
    private let today: CalendarDate
    private let actor: String
    /// How often each payload has occurred so far: the n-th identical row gets occurrence n in its key.
    /// Payloads are told apart by the first 128 bits of their digest (half the memory of all 256; two
    /// payloads sharing them is a 2⁻¹²⁸ event).
    private var occurrences: [SHA256.Digest.Prefix: Int32] = [:]
    private var explicitKeys: Set<String> = []
    /// The pledges the accepted rows belong to.
    public private(set) var pledgeIDs: Set<Int> = []

    public init(pledges: [String: Pledge], today: CalendarDate, actor: String) {
        (self.pledges, self.today, self.actor) = (pledges, today, actor)
    }

    /// The ledger row (in `columns` order) for staging values in `DeliveryCSV.columns` order, or nil.
    public mutating func ledgerRow(_ values: [String?]) -> [String?]? {
        guard values.count == DeliveryCSV.columns.count,
            let publicID = values[0], let pledge = pledges[publicID], !pledge.withdrawn,
            let dateText = values[1], let date = CalendarDate(iso: dateText), date >= pledge.countsFrom, date <= today,
            let quantity = values[2], let amount = PlainQuantity(quantity), amount.isPositive,
            amount.scale <= pledge.unitScale,
            values[3] == nil || (pledge.unit.isCurrency && values[3] == pledge.unit.code),
            values[4] == nil
        else { return nil }
        let source = values[5] ?? "", note = values[6] ?? "", key = values[7]
        guard source.unicodeScalars.count <= 2000, note.unicodeScalars.count <= 2000 else { return nil }
        if let key {
            guard key.unicodeScalars.count <= 200, explicitKeys.insert(key).inserted else { return nil }
        }
        // As the database writes it: concat_ws(chr(31), pledge, date, trim_scale(quantity), currency or
        // unit, contributor, source, note).
        let separator = "\u{1F}"
        let payload = [publicID, dateText, amount.trimmed, pledge.unit.code, "", source, note].joined(separator: separator)
        let payloadHash = SHA256.hash(payload)
        // The occurrence counts every row of the file with this content, keyed ones too, as the staged
        // path's `row_number()` does: a re-import goes that way, and must derive the same keys.
        let occurrence = (occurrences[payloadHash.prefix] ?? 0) + 1
        occurrences[payloadHash.prefix] = occurrence
        let identity = key ?? "import:" + SHA256.hash(payload + separator + String(occurrence)).hex
        pledgeIDs.insert(pledge.id)
        return [String(pledge.id), "delivery", dateText, quantity, source, note, actor, identity, payloadHash.hex]
    }
}

/// A quantity in `Quantity.plainText` form (`0012.500`): digits, an optional fraction.
struct PlainQuantity {
    let integer: Substring
    let fraction: Substring

    init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty,
            parts.allSatisfy({ $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } })
        else { return nil }
        integer = first
        fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fraction.isEmpty else { return nil }
    }

    /// The digits after the point, as written: PostgreSQL's `scale()` of the value.
    var scale: Int { fraction.utf8.count }
    var isPositive: Bool { !(integer.utf8.allSatisfy { $0 == UInt8(ascii: "0") } && fraction.utf8.allSatisfy { $0 == UInt8(ascii: "0") }) }

    /// The text of `trim_scale(value)`: no leading zeros before the point, no trailing zeros after it.
    var trimmed: String {
        let whole = integer.drop { $0 == "0" }
        let decimals = fraction.reversed().drop { $0 == "0" }.reversed()
        return (whole.isEmpty ? "0" : String(whole)) + (decimals.isEmpty ? "" : "." + String(decimals))
    }
}
