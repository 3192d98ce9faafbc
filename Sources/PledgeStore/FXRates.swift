import Foundation
import PledgeCore
import Postgres

/// Exchange rates per currency pair and day: `1 base = rate quote` (the ECB publishes EUR as the base).
public struct FXRates {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// One stored rate.
    public struct Rate: Sendable, Equatable, Codable {
        public let base: String
        public let quote: String
        public let date: CalendarDate
        public let rate: Decimal
        public let source: String
    }

    /// Sets (or replaces) the rate of a pair on a day.
    public func set(base: String, quote: String, on date: CalendarDate, rate: Decimal, source: String) throws {
        try connection.execute(
            """
            INSERT INTO fx_rate (base, quote, rate_on, rate, source) VALUES (\(base), \(quote), \(date), \(rate), \(source))
            ON CONFLICT (base, quote, rate_on) DO UPDATE SET rate = excluded.rate, source = excluded.source,
                                                             recorded_at = now()
            """)
    }

    /// Stores many rates in one transaction, streamed through COPY into a staging table.
    public func setMany<Rates: Sequence>(_ rates: Rates, source: String) throws -> Int
    where Rates.Element == (base: String, quote: String, date: CalendarDate, rate: Decimal) {
        try connection.withTransaction { tx in
            try tx.execute(
                "CREATE TEMP TABLE fx_staging (base text, quote text, rate_on date, rate numeric) ON COMMIT DROP")
            try tx.copyIn("COPY fx_staging (base, quote, rate_on, rate) FROM STDIN") { writer in
                for rate in rates {
                    try writer.write([rate.base, rate.quote, rate.date.description, "\(rate.rate)"])
                }
            }
            return try tx.execute(
                """
                INSERT INTO fx_rate (base, quote, rate_on, rate, source)
                SELECT base, quote, rate_on, rate, \(source) FROM fx_staging
                ON CONFLICT (base, quote, rate_on) DO UPDATE SET rate = excluded.rate, source = excluded.source,
                                                                 recorded_at = now()
                """)
        }
    }

    /// A stored quote usable to convert between two currencies on a day.
    public struct Quote: Sendable, Equatable {
        /// 1 `base` = `rate` of the other currency.
        public let base: String
        public let rate: Decimal

        /// `amount` of `currency` in the other currency of the pair: multiplied when `currency` is the base,
        /// divided otherwise, so that 108.12 USD at EUR/USD 1.0812 is exactly 100 EUR.
        public func convert(_ amount: Decimal, from currency: String) -> Decimal {
            currency == base ? amount * rate : amount / rate
        }
    }

    /// The rate between `from` and `to` on `date`, stored in either direction; `nil` when neither is
    /// stored for that exact day.
    public func quote(from: String, to: String, on date: CalendarDate) throws -> Quote? {
        guard
            let row = try connection.query(
                """
                SELECT base, rate FROM fx_rate
                WHERE rate_on = \(date) AND ((base = \(from) AND quote = \(to)) OR (base = \(to) AND quote = \(from)))
                ORDER BY base = \(from) DESC LIMIT 1
                """
            ).first
        else { return nil }
        let (base, rate) = try row.decode((String, Decimal).self)
        return Quote(base: base, rate: rate)
    }

    /// For every currency with a rate to `reporting` on or before `date` (the latest such rate, either
    /// direction): units of `reporting` per one unit of that currency.
    public func conversionRates(to reporting: String, on date: CalendarDate) throws -> [String: Decimal] {
        var rates: [String: Decimal] = [:]
        for row in try connection.query(
            """
            SELECT DISTINCT ON (currency) currency, rate FROM (
                SELECT quote AS currency, 1 / rate AS rate, rate_on FROM fx_rate WHERE base = \(reporting) AND rate_on <= \(date)
                UNION ALL
                SELECT base AS currency, rate, rate_on FROM fx_rate WHERE quote = \(reporting) AND rate_on <= \(date)
            ) candidates
            ORDER BY currency, rate_on DESC
            """)
        {
            let (currency, rate) = try row.decode((String, Decimal).self)
            rates[currency.trimmingCharacters(in: .whitespaces)] = rate
        }
        return rates
    }

    /// Stored rates, newest first, optionally for one currency.
    public func list(currency: String? = nil, limit: Int = 100) throws -> [Rate] {
        try connection.query(
            """
            SELECT base, quote, rate_on, rate, source FROM fx_rate
            WHERE \(currency)::text IS NULL OR base = \(currency) OR quote = \(currency)
            ORDER BY rate_on DESC, base, quote LIMIT \(limit)
            """
        ).map { row in
            let (base, quote, date, rate, source) = try row.decode((String, String, CalendarDate, Decimal, String).self)
            return Rate(base: base, quote: quote, date: date, rate: rate, source: source)
        }
    }
}
