import Foundation
import PledgeCore
import Postgres

/// Voids and corrections: new entries that point at the entry they change; the original stays.
extension DeliveryLedger {
    /// Reverses an entry (its net quantity, corrections included). When a later reported total follows the
    /// entry, the difference is added back at that report, so the total it states stays true.
    public func void(entryID: Int, reason: String, by actor: String) throws -> [Int] {
        try connection.withTransaction { tx in
            let entry = try CorrectableEntry.lock(entryID, on: tx)
            var created = [
                try tx.query(
                    """
                    INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, corrects_id, reason, recorded_by)
                    VALUES (\(entry.pledgeRowID), 'void', \(entry.date), \(-entry.net), \(entry.id), \(reason), \(actor))
                    RETURNING id
                    """
                ).scalar(Int.self)
            ]
            // A later reported total stays true: what this entry no longer contributes shows up there.
            if entry.net != 0, let next = try entry.nextReport(on: tx) {
                created.append(
                    try compensate(next: next, by: entry.net, reason: "keeps report #\(next.id)'s total after voiding #\(entry.id): \(reason)", actor: actor, on: tx))
            }
            return created
        }
    }

    /// Replaces an entry's quantity: for a delivery, the new quantity; for a reported total, the corrected
    /// total. Appends the difference as a correction entry (and its opposite at the next reported total, if
    /// any, which stays true).
    public func correct(entryID: Int, quantity text: String, reason: String, by actor: String) throws -> [Int] {
        try connection.withTransaction { tx in
            let entry = try CorrectableEntry.lock(entryID, on: tx)
            let unit = try PledgeUnit.parse(try tx.query("SELECT unit FROM pledge WHERE id = \(entry.pledgeRowID)").scalar(String.self))
            let delta: Decimal
            /// The entry's value as `text` states it now: a report's total, a delivery's quantity.
            let current: Decimal
            switch entry.kind {
            case .report:
                let newTotal = try Quantity.parsePositive(text, field: "quantity", scale: unit.scale)
                let before = try entry.cumulativeBefore(on: tx)
                guard newTotal >= before else {
                    throw InputError.invalid(
                        field: "quantity", value: text,
                        expected: "a total of at least \(before) \(unit), the total before report #\(entry.id)")
                }
                current = before + entry.net
                delta = newTotal - current
            default:
                current = entry.net
                delta = try Quantity.parsePositive(text, field: "quantity", scale: unit.scale) - entry.net
            }
            guard delta != 0 else {
                throw InputError.invalid(field: "quantity", value: text, expected: "a value different from the entry's current one")
            }
            // The next report absorbs the difference (its increment shrinks by as much, so its total stays); it
            // cannot absorb more than it adds, as for a new delivery dated before it.
            let next = try entry.nextReport(on: tx)
            if let next, delta > next.net {
                throw InputError.invalid(
                    field: "quantity", value: text,
                    expected: "at most \(current + next.net) \(unit): the later report #\(next.id) states a total of \(next.total ?? 0) on "
                        + "\(next.date), only \(next.net) more than the entries before it; correct that report first")
            }
            var created = [
                try tx.query(
                    """
                    INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, corrects_id, reason, recorded_by)
                    VALUES (\(entry.pledgeRowID), 'correction', \(entry.date), \(delta), \(entry.id), \(reason), \(actor))
                    RETURNING id
                    """
                ).scalar(Int.self)
            ]
            if let next {
                created.append(
                    try compensate(next: next, by: -delta, reason: "keeps report #\(next.id)'s total after correcting #\(entry.id): \(reason)", actor: actor, on: tx))
            }
            return created
        }
    }

    /// A delivery dated before a later reported total is part of that total: the report's increment is
    /// reduced by as much (a compensating correction), so the total it states stays true. A delivery larger
    /// than the report's increment contradicts the report and is refused.
    func keepLaterReportTrue(after entry: CorrectableEntry, pledge: LockedPledge, by actor: String, on tx: Connection) throws {
        guard let found = try entry.nextReport(on: tx) else { return }
        // Deliveries are recorded under a shared lock on the pledge; the report row's lock serializes the
        // ones that compensate the same report, and its increment is read again once the lock is held.
        _ = try tx.query("SELECT id FROM delivery WHERE id = \(found.id) FOR UPDATE")
        let next = try CorrectableEntry.read(found.id, on: tx)
        guard entry.net <= next.net else {
            // The report's total as read includes the entry just written (dated before it): without it, as it stands.
            throw InputError.invalid(
                field: "quantity", value: "\(entry.net)",
                expected: "at most \(next.net) \(pledge.unit): the later report #\(next.id) states a total of "
                    + "\((next.total ?? 0) - entry.net) on \(next.date), only \(next.net) more than the entries before it; correct that report first")
        }
        _ = try compensate(
            next: next, by: -entry.net, reason: "keeps report #\(next.id)'s total: delivery #\(entry.id) is dated before it",
            actor: actor, on: tx)
    }

    private func compensate(next: CorrectableEntry, by quantity: Decimal, reason: String, actor: String, on tx: Connection) throws -> Int {
        try tx.query(
            """
            INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, corrects_id, reason, recorded_by)
            VALUES (\(next.pledgeRowID), 'correction', \(next.date), \(quantity), \(next.id), \(reason), \(actor))
            RETURNING id
            """
        ).scalar(Int.self)
    }
}

/// A delivery or report as a void or correction sees it: its net quantity after earlier corrections.
struct CorrectableEntry {
    let id: Int
    let pledgeRowID: Int
    let kind: LedgerEntryKind
    let date: CalendarDate
    let net: Decimal
    let total: Decimal?

    /// Reads the entry, locking its pledge so corrections of one pledge serialize.
    static func lock(_ id: Int, on tx: Connection) throws -> CorrectableEntry {
        guard let row = try tx.query("SELECT pledge_id FROM delivery WHERE id = \(id)").first else {
            throw InputError.notFound(what: "ledger entry", id: "#\(id)")
        }
        let pledgeRowID = try row.decode(Int.self, at: 0)
        let status = try tx.query("SELECT status FROM pledge WHERE id = \(pledgeRowID) FOR UPDATE").scalar(String.self)
        guard status != PledgeStatus.withdrawn.rawValue else {
            throw InputError.conflict("entry #\(id) belongs to a withdrawn pledge; its ledger is closed")
        }
        let entry = try read(id, on: tx)
        guard entry.kind == .delivery || entry.kind == .report else {
            throw InputError.invalid(
                field: "entry", value: "#\(id)", expected: "a delivery or a reported total (entry #\(id) is a \(entry.kind.rawValue))")
        }
        if let voidID = try tx.query("SELECT id FROM delivery WHERE corrects_id = \(id) AND kind = 'void'").first {
            throw InputError.conflict("entry #\(id) was already voided by entry #\(try voidID.decode(Int.self, at: 0))")
        }
        return entry
    }

    static func read(_ id: Int, on tx: Connection) throws -> CorrectableEntry {
        let row = try tx.query(
            """
            SELECT d.pledge_id, d.kind, d.delivered_on, d.quantity + coalesce((SELECT sum(c.quantity) FROM delivery c
                   WHERE c.corrects_id = d.id), 0)
            FROM delivery d WHERE d.id = \(id)
            """
        ).first!
        let (pledgeRowID, kind, date, net) = try row.decode((Int, String, CalendarDate, Decimal).self)
        let entry = CorrectableEntry(
            id: id, pledgeRowID: pledgeRowID, kind: LedgerEntryKind(rawValue: kind) ?? .delivery, date: date, net: net,
            total: nil)
        guard entry.kind == .report else { return entry }
        // A report's total as the ledger now states it: everything before it plus its own net quantity
        // (which includes the compensations that keep it true after earlier entries were voided or corrected).
        return CorrectableEntry(
            id: id, pledgeRowID: pledgeRowID, kind: .report, date: date, net: net,
            total: try entry.cumulativeBefore(on: tx) + net)
    }

    /// The next report of the same pledge that has not been voided.
    func nextReport(on tx: Connection) throws -> CorrectableEntry? {
        guard
            let row = try tx.query(
                """
                SELECT d.id FROM delivery d
                WHERE d.pledge_id = \(pledgeRowID) AND d.kind = 'report' AND (d.delivered_on, d.id) > (\(date), \(id))
                  AND NOT EXISTS (SELECT 1 FROM delivery v WHERE v.corrects_id = d.id AND v.kind = 'void')
                ORDER BY d.delivered_on, d.id LIMIT 1
                """
            ).first
        else { return nil }
        return try Self.read(try row.decode(Int.self, at: 0), on: tx)
    }

    /// The cumulative total of everything before this entry (date, then entry order).
    func cumulativeBefore(on tx: Connection) throws -> Decimal {
        try tx.query(
            """
            SELECT coalesce(sum(d.quantity), 0) FROM delivery d
            WHERE d.pledge_id = \(pledgeRowID)
              AND (d.delivered_on, coalesce(d.corrects_id, d.id)) < (\(date), \(id))
            """
        ).scalar(Decimal.self)
    }
}
