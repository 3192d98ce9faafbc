import Foundation
import PledgeCore
import Postgres

/// Pledges and their terms' history.
public struct PledgeRepository {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// What `add` did.
    public enum AddOutcome: Equatable, Sendable { case created, alreadyPresent }

    /// Adds a pledge with its original terms. An existing public id is a conflict, unless `ifAbsent`
    /// (used by `seed`), which leaves the stored pledge untouched.
    @discardableResult
    public func add(_ pledge: NewPledge, by actor: String, ifAbsent: Bool = false) throws -> AddOutcome {
        try connection.withTransaction { tx in
            let donorID = try PartyRepository(tx).id(named: pledge.donor)
            let inserted = try tx.query(
                """
                INSERT INTO pledge (public_id, donor_id, recipient, title, category, unit, unit_scale, announced_on,
                                    counts_from, status, source, notes, created_by)
                VALUES (\(pledge.publicID), \(donorID), \(pledge.recipient), \(pledge.title), \(pledge.category.rawValue),
                        \(pledge.unit.code), \(Int16(pledge.unit.scale)), \(pledge.announcedOn), \(pledge.countsFrom),
                        \(pledge.status.rawValue), \(pledge.source), \(pledge.notes), \(actor))
                ON CONFLICT (public_id) DO NOTHING
                RETURNING id
                """)
            guard let row = inserted.first else {
                if ifAbsent { return .alreadyPresent }
                throw InputError.conflict("a pledge with id \"\(pledge.publicID)\" already exists")
            }
            let id = try row.decode(Int.self, at: 0)
            try tx.execute(
                """
                INSERT INTO pledge_terms (pledge_id, revision, target, deadline, effective_on, reason, recorded_by)
                VALUES (\(id), 1, \(pledge.target), \(pledge.deadline), \(pledge.announcedOn), 'as announced', \(actor))
                """)
            try tx.execute(
                """
                INSERT INTO pledge_status_change (pledge_id, from_status, to_status, reason, changed_by)
                VALUES (\(id), NULL, \(pledge.status.rawValue), 'added', \(actor))
                """)
            return .created
        }
    }

    /// Every pledge, ordered by public id; with `asOf`, pledges announced later and terms effective later
    /// are left out.
    public func list(asOf: CalendarDate? = nil) throws -> [Pledge] {
        try load(publicID: nil, asOf: asOf)
    }

    /// One pledge, or `.notFound`.
    public func find(_ publicID: String, asOf: CalendarDate? = nil) throws -> Pledge {
        guard let pledge = try load(publicID: publicID, asOf: asOf).first else {
            throw InputError.notFound(what: "pledge", id: publicID)
        }
        return pledge
    }

    private func load(publicID: String?, asOf: CalendarDate?) throws -> [Pledge] {
        let rows = try connection.query(
            """
            SELECT p.public_id, d.name, p.recipient, p.title, p.category, p.unit, p.announced_on, p.counts_from,
                   p.status, p.source, p.notes,
                   t.revision, t.target, t.deadline, t.effective_on, t.reason, t.recorded_by
            FROM pledge p
            JOIN party d ON d.id = p.donor_id
            JOIN pledge_terms t ON t.pledge_id = p.id
            WHERE (\(publicID)::text IS NULL OR p.public_id = \(publicID))
              AND (\(asOf)::date IS NULL OR t.revision = 1 OR t.effective_on <= \(asOf))
              AND (\(asOf)::date IS NULL OR p.announced_on <= \(asOf))
            ORDER BY p.public_id, t.revision
            """)
        var pledges: [Pledge] = []
        for row in rows {
            let (id, donor, recipient, title, category, unit, announced, countsFrom, status, source, notes) = try (
                row.decode(String.self, at: 0), row.decode(String.self, at: 1), row.decode(String.self, at: 2),
                row.decode(String.self, at: 3), row.decode(String.self, at: 4), row.decode(String.self, at: 5),
                row.decode(CalendarDate.self, at: 6), row.decode(CalendarDate.self, at: 7), row.decode(String.self, at: 8),
                row.decode(String.self, at: 9), row.decode(String.self, at: 10))
            let terms = PledgeTerms(
                revision: try row.decode(Int.self, at: 11), target: try row.decode(Decimal.self, at: 12),
                deadline: try row.decode(CalendarDate.self, at: 13), effectiveOn: try row.decode(CalendarDate.self, at: 14),
                reason: try row.decode(String.self, at: 15), recordedBy: try row.decode(String.self, at: 16))
            if pledges.last?.publicID == id {
                pledges[pledges.count - 1].terms.append(terms)
            } else {
                pledges.append(
                    Pledge(
                        publicID: id, donor: donor, recipient: recipient, title: title,
                        category: try PledgeCategory.parse(category), unit: try PledgeUnit.parse(unit),
                        announcedOn: announced, countsFrom: countsFrom, status: try PledgeStatus.parse(status),
                        source: source, notes: notes, terms: [terms]))
            }
        }
        return pledges
    }

    /// Appends a revision of the terms; what is not given is carried over from the current terms.
    public func amend(
        _ publicID: String, target: Decimal?, deadline: CalendarDate?, effectiveOn: CalendarDate, reason: String,
        by actor: String
    ) throws -> PledgeTerms {
        try connection.withTransaction { tx in
            let locked = try LockedPledge.lock(publicID, on: tx, mode: .update)
            guard locked.status != .withdrawn else {
                throw InputError.conflict("pledge \(publicID) is withdrawn: its terms can no longer be amended")
            }
            let current = try tx.query(
                """
                SELECT revision, target, deadline, effective_on FROM pledge_terms WHERE pledge_id = \(locked.id)
                ORDER BY revision DESC LIMIT 1
                """
            ).first!.decode((Int, Decimal, CalendarDate, CalendarDate).self)
            // Revisions take effect in order: one dated before the terms in force would erase them from history.
            guard effectiveOn >= current.3 else {
                throw InputError.invalid(
                    field: "effective", value: effectiveOn.description,
                    expected: "a date on or after \(current.3), when the current terms (revision \(current.0)) took effect")
            }
            let newTarget = target ?? current.1
            let newDeadline = deadline ?? current.2
            guard newTarget != current.1 || newDeadline != current.2 else {
                throw InputError.invalid(
                    field: "target/deadline", value: "\(newTarget) by \(newDeadline)",
                    expected: "a change to the current terms (\(current.1) by \(current.2))")
            }
            guard newDeadline > locked.countsFrom else {
                throw InputError.invalid(
                    field: "deadline", value: newDeadline.description, expected: "a date after the counting start \(locked.countsFrom)")
            }
            let revision = current.0 + 1
            try tx.execute(
                """
                INSERT INTO pledge_terms (pledge_id, revision, target, deadline, effective_on, reason, recorded_by)
                VALUES (\(locked.id), \(revision), \(newTarget), \(newDeadline), \(effectiveOn), \(reason), \(actor))
                """)
            return PledgeTerms(
                revision: revision, target: newTarget, deadline: newDeadline, effectiveOn: effectiveOn, reason: reason,
                recordedBy: actor)
        }
    }

    /// What a status change did.
    public enum StatusOutcome: Equatable, Sendable { case changed(from: PledgeStatus), unchanged }

    /// Moves a pledge to `committed` or `withdrawn`; a withdrawn pledge stays withdrawn.
    public func setStatus(_ publicID: String, to status: PledgeStatus, reason: String, by actor: String) throws -> StatusOutcome {
        try connection.withTransaction { tx in
            let locked = try LockedPledge.lock(publicID, on: tx, mode: .update)
            if locked.status == status { return .unchanged }
            guard locked.status != .withdrawn else {
                throw InputError.conflict("pledge \(publicID) is withdrawn; a withdrawn pledge cannot be \(status.rawValue)")
            }
            guard !(locked.status == .committed && status == .proposed) else {
                throw InputError.conflict("pledge \(publicID) is committed; it cannot go back to proposed")
            }
            try tx.execute("UPDATE pledge SET status = \(status.rawValue) WHERE id = \(locked.id)")
            try tx.execute(
                """
                INSERT INTO pledge_status_change (pledge_id, from_status, to_status, reason, changed_by)
                VALUES (\(locked.id), \(locked.status.rawValue), \(status.rawValue), \(reason), \(actor))
                """)
            return .changed(from: locked.status)
        }
    }
}

/// The columns of a pledge a write needs, read under a row lock so concurrent writers serialize.
struct LockedPledge {
    enum Mode { case share, update }
    let id: Int
    let publicID: String
    let unit: PledgeUnit
    let countsFrom: CalendarDate
    let status: PledgeStatus

    static func lock(_ publicID: String, on connection: Connection, mode: Mode) throws -> LockedPledge {
        let rows: PostgresRows
        switch mode {
        case .share:
            rows = try connection.query(
                "SELECT id, unit, counts_from, status FROM pledge WHERE public_id = \(publicID) FOR SHARE")
        case .update:
            rows = try connection.query(
                "SELECT id, unit, counts_from, status FROM pledge WHERE public_id = \(publicID) FOR UPDATE")
        }
        guard let row = rows.first else { throw InputError.notFound(what: "pledge", id: publicID) }
        let (id, unit, countsFrom, status) = try row.decode((Int, String, CalendarDate, String).self)
        return LockedPledge(
            id: id, publicID: publicID, unit: try PledgeUnit.parse(unit), countsFrom: countsFrom,
            status: try PledgeStatus.parse(status))
    }
}

/// Donors and contributors, created on first mention.
struct PartyRepository {
    let connection: Connection
    init(_ connection: Connection) { self.connection = connection }

    func id(named name: String) throws -> Int {
        let rows = try connection.query(
            """
            WITH inserted AS (INSERT INTO party (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING RETURNING id)
            SELECT id FROM inserted UNION ALL SELECT id FROM party WHERE name = \(name)
            LIMIT 1
            """)
        if let row = rows.first { return try row.decode(Int.self, at: 0) }
        // A concurrent transaction inserted the name after this statement's snapshot was taken: a new
        // statement sees it.
        return try connection.query("SELECT id FROM party WHERE name = \(name)").scalar(Int.self)
    }
}
