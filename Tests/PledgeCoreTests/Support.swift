// Helpers shared by the PledgeCore tests: reading CSV text into records, and naming the field of a refusal.
import Foundation
import PledgeCore

/// Every record of `text`, fed to a fresh reader in one piece and then finished.
func csvRecords(_ text: String) -> [CSVReader.Record] {
    csvRecords(bytes: Array(text.utf8))
}

/// Every record of `bytes`, fed in chunks of the given sizes (cycled), then finished.
func csvRecords(bytes: [UInt8], chunkSizes: [Int] = []) -> [CSVReader.Record] {
    var reader = CSVReader()
    var records: [CSVReader.Record] = []
    if chunkSizes.isEmpty {
        records += reader.feed(bytes)
    } else {
        var start = 0
        var turn = 0
        while start < bytes.count {
            let end = min(bytes.count, start + max(1, chunkSizes[turn % chunkSizes.count]))
            records += reader.feed(bytes[start..<end])
            start = end
            turn += 1
        }
    }
    records += reader.finish()
    return records
}

/// The one record of `text`, for tests that need a header or a single row.
func csvRecord(_ text: String) -> CSVReader.Record {
    csvRecords(text)[0]
}

/// What `body` refused: the field, value and expectation of its `InputError.invalid`, or nil when it succeeded
/// (or failed some other way, which the caller's expectation then catches).
func refusal<T>(_ body: () throws -> T) -> (field: String, value: String, expected: String)? {
    do {
        _ = try body()
        return nil
    } catch {
        guard case .invalid(let field, let value, let expected) = error as? InputError else { return nil }
        return (field, value, expected)
    }
}

/// An exact decimal from its digits and the number of them after the point, built without `Double`.
func exactDecimal(digits: String, decimals: Int) -> Decimal {
    var significand = Decimal(0)
    for digit in digits.utf8 {
        significand = significand * 10 + Decimal(Int(digit - 48))
    }
    return Decimal(sign: .plus, exponent: -decimals, significand: significand)
}
