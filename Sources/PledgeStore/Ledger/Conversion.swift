import Foundation
import PledgeCore
import Postgres

/// A delivery's amount in its pledge's unit, converted at the delivery date's FX rate when it was given in
/// another currency. Decimal arithmetic, rounded half away from zero (as PostgreSQL's round) to the unit's decimal places; the original
/// amount, currency and rate are kept beside the result.
struct Conversion {
    let quantity: Decimal
    let original: Decimal?
    let currency: String?
    let rate: Decimal?

    static func resolve(_ delivery: NewDelivery, pledge: LockedPledge, on connection: Connection) throws -> Conversion {
        guard let currency = delivery.currency, currency != pledge.unit.code else {
            return Conversion(
                quantity: try delivery.quantity(scale: pledge.unit.scale), original: nil, currency: nil, rate: nil)
        }
        guard pledge.unit.isCurrency else {
            throw InputError.invalid(
                field: "currency", value: currency,
                expected: "no currency: pledge \(pledge.publicID) is counted in \(pledge.unit), not money")
        }
        let amount = try Quantity.parsePositive(delivery.quantityText, field: "quantity", scale: 2)
        guard let quote = try FXRates(connection).quote(from: currency, to: pledge.unit.code, on: delivery.date) else {
            throw InputError.invalid(
                field: "currency", value: currency,
                expected: "a currency with an FX rate to \(pledge.unit) on \(delivery.date) (add one with `fx set` or `fx import`)")
        }
        let converted = Self.round(quote.convert(amount, from: currency), scale: pledge.unit.scale)
        guard converted > 0 else {
            throw InputError.invalid(
                field: "quantity", value: delivery.quantityText,
                expected: "an amount worth at least \(Self.smallest(scale: pledge.unit.scale)) \(pledge.unit) at \(delivery.date)'s rate; "
                    + "it converts to 0 \(pledge.unit)")
        }
        return Conversion(quantity: converted, original: amount, currency: currency, rate: quote.rate)
    }

    /// The least positive amount with `scale` decimals (0.01 for 2).
    static func smallest(scale: Int) -> Decimal { Decimal(sign: .plus, exponent: -scale, significand: 1) }

    static func round(_ value: Decimal, scale: Int) -> Decimal {
        var input = value
        var output = Decimal()
        NSDecimalRound(&output, &input, scale, .plain)
        return output
    }
}
