import Foundation
import PledgeCore
import PledgeStore
import Postgres

/// What administrators do, as library calls: each takes text as typed, validates it in `PledgeCore`,
/// and writes through `PledgeStore` in one transaction. The executable only parses and renders.
public struct Administration {
    public let connection: Connection
    /// Who is acting, recorded on every entry.
    public let actor: String
    /// "Today", for date checks (injectable for tests and backfills).
    public let today: CalendarDate

    public init(connection: Connection, actor: String, today: CalendarDate = .today()) {
        self.connection = connection
        self.actor = actor
        self.today = today
    }

    public var pledges: PledgeRepository { PledgeRepository(connection) }
    public var ledger: DeliveryLedger { DeliveryLedger(connection) }
    public var fx: FXRates { FXRates(connection) }

    public func addPledge(_ pledge: NewPledge) throws {
        try pledges.add(pledge, by: actor)
    }

    public func amend(
        _ publicID: String, target: String?, deadline: String?, effective: String?, reason: String
    ) throws -> PledgeTerms {
        let id = try PledgeID.validate(publicID)
        guard target != nil || deadline != nil else {
            throw InputError.invalid(field: "target/deadline", value: "", expected: "--target, --deadline or both")
        }
        let reason = try FreeText.validate(reason, field: "reason", required: true, lines: .multiple)
        let current = try pledges.find(id)
        let newTarget = try target.map { text throws(InputError) in try Quantity.parsePositive(text, field: "target", scale: current.unit.scale) }
        let newDeadline = try deadline.map { text throws(InputError) in try CalendarDate.parse(text, field: "deadline") }
        let effectiveOn = try effective.map { text throws(InputError) in try CalendarDate.parse(text, field: "effective") } ?? today
        return try pledges.amend(id, target: newTarget, deadline: newDeadline, effectiveOn: effectiveOn, reason: reason, by: actor)
    }

    public func setStatus(_ publicID: String, to status: PledgeStatus, reason: String) throws -> PledgeRepository.StatusOutcome {
        let id = try PledgeID.validate(publicID)
        let reason = try FreeText.validate(reason, field: "reason", required: status == .withdrawn, lines: .multiple)
        return try pledges.setStatus(id, to: status, reason: reason, by: actor)
    }

    public func record(_ delivery: NewDelivery) throws -> DeliveryLedger.Recorded {
        try ledger.record(delivery, by: actor, today: today)
    }

    public func reportTotal(_ publicID: String, total: String, asOf: String, source: String, idempotencyKey: String?) throws -> DeliveryLedger.Recorded {
        let id = try PledgeID.validate(publicID)
        let date = try CalendarDate.parse(asOf, field: "as-of")
        let source = try FreeText.validate(source, field: "source")
        let key = try idempotencyKey.map { key throws(InputError) in try IdempotencyKey.validate(key) }
        return try ledger.reportTotal(pledgeID: id, total: total, asOf: date, source: source, idempotencyKey: key, by: actor, today: today)
    }

    public func void(entry: Int, reason: String) throws -> [Int] {
        try ledger.void(entryID: entry, reason: try FreeText.validate(reason, field: "reason", required: true, lines: .multiple), by: actor)
    }

    public func correct(entry: Int, quantity: String, reason: String) throws -> [Int] {
        try ledger.correct(
            entryID: entry, quantity: quantity, reason: try FreeText.validate(reason, field: "reason", required: true, lines: .multiple), by: actor)
    }

    public func setRate(base: String, quote: String, on date: String, rate: String, source: String) throws {
        guard case .currency(let base) = try PledgeUnit.parse(base, field: "base"), case .currency(let quote) = try PledgeUnit.parse(quote, field: "quote") else {
            throw InputError.invalid(field: "base/quote", value: "\(base)/\(quote)", expected: "ISO 4217 codes such as EUR and USD")
        }
        guard base != quote else { throw InputError.invalid(field: "quote", value: quote, expected: "a currency other than the base") }
        let value = try Quantity.parsePositive(rate, field: "rate", scale: 10)
        try fx.set(base: base, quote: quote, on: try CalendarDate.parse(date, field: "date"), rate: value, source: try FreeText.validate(source, field: "source"))
    }
}

extension Administration {
    public typealias Recorded = DeliveryLedger.Recorded
}
