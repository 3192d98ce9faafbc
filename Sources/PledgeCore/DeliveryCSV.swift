import Foundation

/// The layout of `pledgewatch import deliveries`: a header naming columns, then one delivery a line.
///
/// Required columns: `pledge`, `date`, `quantity`. Optional: `currency`, `contributor`, `source`, `note`,
/// `idempotency_key`. Any other column, or a missing required one, refuses the whole file.
public struct DeliveryCSV: Sendable {
    public static let required = ["pledge", "date", "quantity"]
    public static let optional = ["currency", "contributor", "source", "note", "idempotency_key"]
    /// The staging order of columns.
    public static let columns = required + optional

    /// For each staging column, its index in the file (or nil when the file lacks the optional column).
    let positions: [Int?]
    let width: Int

    /// Reads the header, or says what is wrong with it.
    public init(header: CSVReader.Record) throws(InputError) {
        if let problem = header.problem {
            throw .invalid(field: "header (line \(header.line))", value: "", expected: "a valid header: \(problem)")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let unknown = names.filter { !Self.columns.contains($0) }
        guard unknown.isEmpty else {
            throw .invalid(
                field: "header", value: unknown.joined(separator: ","),
                expected: "only the columns \(Self.columns.joined(separator: ", "))")
        }
        let missing = Self.required.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw .invalid(
                field: "header", value: names.joined(separator: ","),
                expected: "the required columns \(Self.required.joined(separator: ", ")) (missing: \(missing.joined(separator: ", ")))")
        }
        let duplicated = Set(names.filter { name in names.filter { $0 == name }.count > 1 })
        guard duplicated.isEmpty else {
            throw .invalid(field: "header", value: duplicated.sorted().joined(separator: ","), expected: "each column once")
        }
        positions = Self.columns.map { names.firstIndex(of: $0) }
        width = names.count
    }

    /// A data record as staging values (empty optional fields become nil), or the row's problem. The date
    /// and the quantity are checked and normalised here (`2023-12-15`, `1000000.50`), so the database
    /// receives typed values and checks only what needs the ledger: the pledge, its unit, rates and keys.
    public func values(of record: CSVReader.Record) -> Result<[String?], RowProblem> {
        if let problem = record.problem { return .failure(RowProblem(line: record.line, reason: problem)) }
        guard record.fields.count == width else {
            return .failure(
                RowProblem(line: record.line, reason: "expected \(width) fields as in the header, found \(record.fields.count)"))
        }
        var values: [String?] = positions.map { position in
            guard let position else { return nil }
            let value = record.fields[position].trimmedOfWhitespace
            return value.isEmpty ? nil : value
        }
        // The texts' characters, as `FreeText` checks them on the command line: a note may have line breaks,
        // every other field is one line. Said here, with the line, before anything reaches the database (a
        // NUL would only be refused by its COPY, without saying where).
        for (column, value) in values.enumerated() {
            guard let value else { continue }
            let lines: FreeText.Lines = Self.columns[column] == "note" ? .multiple : .single
            if let found = FreeText.firstRefused(in: value, lines: lines) {
                // Counted in the field as written, before the spaces around it were trimmed.
                let written = record.fields[positions[column]!]
                let leading = written.unicodeScalars.prefix { CharacterSet.whitespaces.contains($0) }.count
                let place = (scalar: found.scalar, position: found.position + leading)
                return .failure(
                    RowProblem(line: record.line, reason: "\(Self.columns[column]): expected \(FreeText.expectation(place, lines: lines))"))
            }
        }
        if let date = values[1], CalendarDate(iso: date) == nil {
            return .failure(
                RowProblem(line: record.line, reason: "date: \(Self.quoted(date)) is not a real calendar date as YYYY-MM-DD"))
        }
        if let quantity = values[2] {
            guard let plain = Quantity.plainText(quantity) else {
                return .failure(
                    RowProblem(
                        line: record.line,
                        reason: "quantity: \(Self.quoted(quantity)) is not a positive decimal number such as 300000 or 1250.50 (commas only between groups of three digits)"))
            }
            values[2] = plain
        }
        return .success(values)
    }

    /// A value as the database's messages quote it (`quote_literal`), cut at 40 characters.
    static func quoted(_ value: String) -> String {
        let cut = String(value.prefix(40))
        let body = cut.replacingOccurrences(of: "'", with: "''")
        return cut.contains("\\") ? "E'" + body.replacingOccurrences(of: "\\", with: "\\\\") + "'" : "'" + body + "'"
    }
}
