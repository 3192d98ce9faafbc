import Foundation
import PledgeCore
import Postgres

/// The append-only delivery ledger: deliveries, reported totals, voids and corrections.
public struct DeliveryLedger {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// What `record` or `reportTotal` did: a new entry, or the existing one an idempotent retry found.
    public struct Recorded: Equatable, Sendable {
        public let entryID: Int
        public let created: Bool
        /// The quantity stored, in the pledge's unit.
        public let quantity: Decimal
    }

    /// Records a delivery. With an idempotency key, a retry with the same payload returns the first
    /// entry and adds nothing; the same key with another payload is a conflict.
    public func record(_ delivery: NewDelivery, by actor: String, today: CalendarDate = .today()) throws -> Recorded {
        try connection.withTransaction { tx in
            let pledge = try LockedPledge.lock(delivery.pledgeID, on: tx, mode: .share)
            try LedgerRules.checkOpen(pledge)
            try LedgerRules.checkDate(delivery.date, field: "date", pledge: pledge, today: today)
            let amount = try Conversion.resolve(delivery, pledge: pledge, on: tx)
            let contributorID = try delivery.contributor.map { try PartyRepository(tx).id(named: $0) }
            let payload = [
                delivery.pledgeID, delivery.date.description, "\(amount.original ?? amount.quantity)",
                delivery.currency ?? pledge.unit.code, delivery.contributor ?? "", delivery.source, delivery.note,
            ].joined(separator: "\u{1F}")
            let inserted = try tx.query(
                """
                INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, original_quantity, original_currency,
                                      fx_rate, contributor_id, source, note, recorded_by, idempotency_key, payload_hash)
                VALUES (\(pledge.id), 'delivery', \(delivery.date), \(amount.quantity), \(amount.original),
                        \(amount.currency), \(amount.rate), \(contributorID), \(delivery.source), \(delivery.note), \(actor),
                        \(delivery.idempotencyKey),
                        CASE WHEN \(delivery.idempotencyKey)::text IS NULL THEN NULL
                             ELSE encode(sha256(convert_to(\(payload), 'UTF8')), 'hex') END)
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING id
                """)
            if let row = inserted.first {
                let entryID = try row.decode(Int.self, at: 0)
                try keepLaterReportTrue(
                    after: CorrectableEntry(
                        id: entryID, pledgeRowID: pledge.id, kind: .delivery, date: delivery.date, net: amount.quantity, total: nil),
                    pledge: pledge, by: actor, on: tx)
                return Recorded(entryID: entryID, created: true, quantity: amount.quantity)
            }
            return try existing(key: delivery.idempotencyKey, payload: payload, on: tx)
        }
    }

    /// The entry a reused idempotency key points at, when its payload matches.
    private func existing(key: String?, payload: String, on tx: Connection) throws -> Recorded {
        guard let key,
            let row = try tx.query(
                """
                SELECT id, quantity, payload_hash = encode(sha256(convert_to(\(payload), 'UTF8')), 'hex')
                FROM delivery WHERE idempotency_key = \(key)
                """
            ).first
        else { throw PostgresError(code: .usage, message: "insert returned no row and no key explains it") }
        let (id, quantity, same) = try row.decode((Int, Decimal, Bool).self)
        guard same else {
            throw InputError.conflict(
                "idempotency key \"\(key)\" was already used for a different entry (#\(id)); use a new key for a new delivery")
        }
        return Recorded(entryID: id, created: false, quantity: quantity)
    }

    /// Records a cumulative total ("more than 300,000 delivered" as of 2023-11-14) as its increment over the
    /// previous known total. A total below the previous one is refused: lowering goes through a correction.
    /// Reporting the same total for the same day again adds nothing.
    public func reportTotal(
        pledgeID: String, total totalText: String, asOf date: CalendarDate, source: String, idempotencyKey: String?,
        by actor: String, today: CalendarDate = .today()
    ) throws -> Recorded {
        try connection.withTransaction { tx in
            let pledge = try LockedPledge.lock(pledgeID, on: tx, mode: .update)
            try LedgerRules.checkOpen(pledge)
            try LedgerRules.checkDate(date, field: "as-of", pledge: pledge, today: today)
            let total = try Quantity.parsePositive(totalText, field: "total", scale: pledge.unit.scale)
            let payload = [pledgeID, date.description, "\(total)", source].joined(separator: "\u{1F}")
            if let key = idempotencyKey, try tx.query("SELECT 1 FROM delivery WHERE idempotency_key = \(key)").first != nil {
                return try existing(key: key, payload: payload, on: tx)
            }
            // The latest delivery or report that still stands: a voided one (a typo in its date, say) no longer
            // holds a report back.
            let state = try tx.query(
                """
                SELECT coalesce(sum(quantity), 0),
                       max(delivered_on) FILTER (WHERE kind IN ('delivery', 'report') AND NOT voided)
                FROM (
                    SELECT d.quantity, d.delivered_on, d.kind,
                           EXISTS (SELECT 1 FROM delivery v WHERE v.corrects_id = d.id AND v.kind = 'void') AS voided
                    FROM delivery d WHERE d.pledge_id = \(pledge.id)
                ) entries
                """
            ).first!.decode((Decimal, CalendarDate?).self)
            let (previous, latest) = state
            if let latest, latest > date {
                throw InputError.invalid(
                    field: "as-of", value: date.description,
                    expected: "a date on or after the latest ledger entry (\(latest)); record earlier figures with `delivery record`")
            }
            // The same statement again: the day's latest report that stands states this total — as the ledger
            // states it now, after compensations (which keep it) and corrections (which change it) — and nothing
            // has been added since.
            if previous == total,
                let same = try tx.query(
                    """
                    SELECT d.id FROM delivery d
                    WHERE d.pledge_id = \(pledge.id) AND d.kind = 'report' AND d.delivered_on = \(date)
                      AND NOT EXISTS (SELECT 1 FROM delivery v WHERE v.corrects_id = d.id AND v.kind = 'void')
                    ORDER BY d.id DESC LIMIT 1
                    """
                ).first,
                try CorrectableEntry.read(try same.decode(Int.self, at: 0), on: tx).total == total
            {
                return Recorded(entryID: try same.decode(Int.self, at: 0), created: false, quantity: 0)
            }
            guard total >= previous else {
                throw InputError.invalid(
                    field: "total", value: totalText,
                    expected: "at least the previous known total of \(previous) \(pledge.unit); a reported total cannot go down — lower it with `delivery correct` or `delivery void`")
            }
            let increment = total - previous
            let id = try tx.query(
                """
                INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, reported_total, source, recorded_by,
                                      idempotency_key, payload_hash)
                VALUES (\(pledge.id), 'report', \(date), \(increment), \(total), \(source), \(actor), \(idempotencyKey),
                        CASE WHEN \(idempotencyKey)::text IS NULL THEN NULL
                             ELSE encode(sha256(convert_to(\(payload), 'UTF8')), 'hex') END)
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING id
                """
            ).first
            // The key was taken by a concurrent writer since the check above: the same answer as a retry.
            guard let id else { return try existing(key: idempotencyKey, payload: payload, on: tx) }
            return Recorded(entryID: try id.decode(Int.self, at: 0), created: true, quantity: increment)
        }
    }

    /// The ledger of one pledge as it stood on `asOf` (entries dated on or before it), oldest first.
    public func entries(pledgeID: String, asOf: CalendarDate? = nil) throws -> [LedgerEntry] {
        guard try connection.query("SELECT 1 FROM pledge WHERE public_id = \(pledgeID)").first != nil else {
            throw InputError.notFound(what: "pledge", id: pledgeID)
        }
        return try connection.query(
            """
            SELECT d.id, p.public_id, d.kind, d.delivered_on, d.quantity, d.reported_total, d.original_quantity,
                   d.original_currency, d.fx_rate, c.name, d.corrects_id, d.reason, d.source, d.note, d.recorded_by,
                   d.recorded_at, d.idempotency_key, v.id
            FROM delivery d
            JOIN pledge p ON p.id = d.pledge_id
            LEFT JOIN party c ON c.id = d.contributor_id
            LEFT JOIN delivery v ON v.corrects_id = d.id AND v.kind = 'void'
                                 AND (\(asOf)::date IS NULL OR v.delivered_on <= \(asOf))
            WHERE p.public_id = \(pledgeID) AND (\(asOf)::date IS NULL OR d.delivered_on <= \(asOf))
            ORDER BY d.delivered_on, d.id
            """
        ).map(LedgerEntry.init(row:))
    }

    /// The cumulative total delivered to one pledge on `asOf`, corrections applied.
    public func delivered(pledgeID: String, asOf: CalendarDate? = nil) throws -> Decimal {
        try connection.query(
            """
            SELECT coalesce(sum(d.quantity), 0) FROM delivery d JOIN pledge p ON p.id = d.pledge_id
            WHERE p.public_id = \(pledgeID) AND (\(asOf)::date IS NULL OR d.delivered_on <= \(asOf))
            """
        ).scalar(Decimal.self)
    }
}

extension LedgerEntry {
    init(row: PostgresRow) throws {
        self.init(
            id: try row.decode(Int.self, at: 0), pledgeID: try row.decode(String.self, at: 1),
            kind: LedgerEntryKind(rawValue: try row.decode(String.self, at: 2)) ?? .delivery,
            date: try row.decode(CalendarDate.self, at: 3), quantity: try row.decode(Decimal.self, at: 4),
            reportedTotal: try row.decode(Decimal?.self, at: 5), originalQuantity: try row.decode(Decimal?.self, at: 6),
            originalCurrency: try row.decode(String?.self, at: 7), fxRate: try row.decode(Decimal?.self, at: 8),
            contributor: try row.decode(String?.self, at: 9), correctsID: try row.decode(Int?.self, at: 10),
            reason: try row.decode(String.self, at: 11), source: try row.decode(String.self, at: 12),
            note: try row.decode(String.self, at: 13), recordedBy: try row.decode(String.self, at: 14),
            recordedAt: try row.decode(Date.self, at: 15), idempotencyKey: try row.decode(String?.self, at: 16),
            voidedBy: try row.decode(Int?.self, at: 17))
    }
}

/// Checks every write to the ledger makes, whatever its kind.
enum LedgerRules {
    static func checkOpen(_ pledge: LockedPledge) throws {
        guard pledge.status != .withdrawn else {
            throw InputError.conflict("pledge \(pledge.publicID) is withdrawn: nothing more can be delivered to it")
        }
    }

    static func checkDate(_ date: CalendarDate, field: String, pledge: LockedPledge, today: CalendarDate) throws {
        guard date >= pledge.countsFrom else {
            throw InputError.invalid(
                field: field, value: date.description,
                expected: "a date on or after \(pledge.countsFrom), when deliveries to \(pledge.publicID) start counting")
        }
        guard date <= today else {
            throw InputError.invalid(field: field, value: date.description, expected: "a date no later than today (\(today))")
        }
    }
}
