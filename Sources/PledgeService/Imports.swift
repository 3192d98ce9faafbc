import Foundation
import PledgeCore
import PledgeStore
import Postgres

/// File imports: read in chunks, parsed as CSV in `PledgeCore`, streamed into the store.
extension Administration {
    /// Imports deliveries from a CSV file (`-` for standard input). Every row lands or none does.
    public func importDeliveries(from path: String) throws -> DeliveryImport.Summary {
        let file = try CSVFile(path: path)
        guard let header = try file.next() else {
            throw InputError.invalid(
                field: "file", value: path,
                expected: "a CSV with a header line (\(DeliveryCSV.columns.joined(separator: ","))) and rows; the file is empty")
        }
        let layout = try DeliveryCSV(header: header)
        return try DeliveryImport(connection).run(by: actor, today: today) { emit in
            var problems: [RowProblem] = []
            while let record = try file.next() {
                switch layout.values(of: record) {
                case .success(let values): try emit(record.line, values)
                case .failure(let problem): problems.append(problem)
                }
            }
            return problems
        }
    }

    /// Imports the ECB's reference-rate CSV (EUR base); returns the number of rates stored.
    public func importECBRates(from path: String, source: String) throws -> Int {
        let file = try CSVFile(path: path)
        guard let header = try file.next() else {
            throw InputError.invalid(field: "file", value: path, expected: "the ECB CSV layout (Date,USD,JPY,…); the file is empty")
        }
        let layout = try ECBRates(header: header)
        var rates: [(base: String, quote: String, date: CalendarDate, rate: Decimal)] = []
        var problems: [RowProblem] = []
        while let record = try file.next() {
            switch layout.rates(of: record) {
            case .success(let found): rates += found.map { ("EUR", $0.quote, $0.date, $0.rate) }
            case .failure(let problem): problems.append(problem)
            }
        }
        guard problems.isEmpty else { throw InputError.invalidRows(problems) }
        return try fx.setMany(rates, source: try FreeText.validate(source, field: "source"))
    }
}

/// CSV records from a file or standard input, read 64 KiB at a time.
final class CSVFile {
    private let handle: FileHandle
    private let ownsHandle: Bool
    private var reader = CSVReader()
    private var pending: [CSVReader.Record] = []
    private var pendingIndex = 0
    private var finished = false

    init(path: String) throws {
        if path == "-" {
            handle = .standardInput
            ownsHandle = false
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw InputError.notFound(what: "readable file", id: path)
            }
            handle = opened
            ownsHandle = true
        }
    }

    deinit { if ownsHandle { try? handle.close() } }

    func next() throws -> CSVReader.Record? {
        while pendingIndex == pending.count {
            if finished { return nil }
            pending = []
            pendingIndex = 0
            if let chunk = try handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
                pending = reader.feed(chunk)
            } else {
                pending = reader.finish()
                finished = true
            }
        }
        defer { pendingIndex += 1 }
        return pending[pendingIndex]
    }
}
