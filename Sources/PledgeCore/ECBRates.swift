import Foundation

/// The ECB's reference-rate CSV (`eurofxref-hist`): `Date,USD,JPY,…` then one row per business day, each
/// value the units of that currency per 1 EUR, `N/A` where there was no rate, a trailing comma on each line.
public struct ECBRates: Sendable {
    /// One rate: 1 EUR = `rate` `quote` on `date`.
    public struct Rate: Sendable, Equatable {
        public let quote: String
        public let date: CalendarDate
        public let rate: Decimal
    }

    let currencies: [String?]

    /// Reads the header; the first column must be `Date`.
    public init(header: CSVReader.Record) throws(InputError) {
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard names.first == "Date", names.count >= 2 else {
            throw .invalid(field: "header", value: names.joined(separator: ","), expected: "Date,USD,JPY,… as in the ECB's eurofxref CSV")
        }
        var currencies: [String?] = [nil]
        for name in names.dropFirst() {
            if name.isEmpty {
                currencies.append(nil)  // the trailing comma
                continue
            }
            guard case .currency = try PledgeUnit.parse(name, field: "currency column") else {
                throw .invalid(field: "currency column", value: name, expected: "an ISO 4217 code")
            }
            guard name != "EUR" else {
                throw .invalid(field: "currency column", value: name, expected: "a currency other than EUR, the rates' base")
            }
            guard !currencies.contains(name) else {
                throw .invalid(field: "currency column", value: name, expected: "each currency in one column only")
            }
            currencies.append(name)
        }
        self.currencies = currencies
    }

    /// The rates of one data row, or the row's problem.
    public func rates(of record: CSVReader.Record) -> Result<[Rate], RowProblem> {
        if let problem = record.problem { return .failure(RowProblem(line: record.line, reason: problem)) }
        guard let first = record.fields.first, let date = CalendarDate(iso: first.trimmingCharacters(in: .whitespaces)) else {
            return .failure(RowProblem(line: record.line, reason: "Date: \(InputError.shorten(record.fields.first ?? "")) is not a date as YYYY-MM-DD"))
        }
        guard record.fields.count <= currencies.count else {
            return .failure(RowProblem(line: record.line, reason: "more fields than the header names"))
        }
        var rates: [Rate] = []
        for (index, text) in record.fields.enumerated().dropFirst() {
            guard let quote = currencies[index] else { continue }
            let value = text.trimmedOfWhitespace
            if value.isEmpty || value == "N/A" { continue }
            guard let rate = try? Quantity.parse(value, field: quote, scale: 10), rate > 0 else {
                return .failure(RowProblem(line: record.line, reason: "\(quote): \(InputError.shorten(value)) is not a positive rate"))
            }
            rates.append(Rate(quote: quote, date: date, rate: rate))
        }
        return .success(rates)
    }
}
