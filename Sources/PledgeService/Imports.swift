import Foundation
import PledgeCore
import PledgeStore
import Postgres

/// File imports: read in chunks, parsed as CSV in `PledgeCore`, streamed into the store.
extension Administration {
    /// Imports deliveries from a CSV file (`-` for standard input). Every row lands or none does.
    public func importDeliveries(from path: String) throws -> DeliveryImport.Summary {
        // The import may read its input twice (a direct attempt, then through staging): standard input is
        // kept in a temporary file for that.
        let input = try ReplayableInput(path: path)
        let layout = try DeliveryCSV(header: try input.header())
        return try DeliveryImport(connection).run(by: actor, today: today) { emit in
            let file = try input.open()
            _ = try file.next()  // the header, read above
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
        // A day's rates come in one row: a second row for the same day would set them twice.
        var lines: [CalendarDate: Int] = [:]
        while let record = try file.next() {
            switch layout.rates(of: record) {
            case .success(let found):
                if let date = found.first?.date {
                    if let first = lines[date] {
                        problems.append(RowProblem(line: record.line, reason: "Date: \(date) has rates on line \(first) already"))
                        continue
                    }
                    lines[date] = record.line
                }
                rates += found.map { ("EUR", $0.quote, $0.date, $0.rate) }
            case .failure(let problem): problems.append(problem)
            }
        }
        guard problems.isEmpty else { throw InputError.invalidRows(problems) }
        return try fx.setMany(rates, source: try FreeText.validate(source, field: "source"))
    }
}

/// An import's input that can be read more than once: a file, or standard input kept in a temporary file
/// (removed when this is released).
final class ReplayableInput {
    let path: String
    private let spooled: Bool

    init(path: String) throws {
        guard path == "-" else {
            (self.path, spooled) = (path, false)
            return
        }
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("pledgewatch-import-\(UUID().uuidString).csv").path
        guard FileManager.default.createFile(atPath: spool, contents: nil, attributes: [.posixPermissions: 0o600]),
            let writer = FileHandle(forWritingAtPath: spool)
        else { throw InputError.invalid(field: "file", value: "-", expected: "a temporary file to hold standard input (\(spool))") }
        (self.path, spooled) = (spool, true)
        defer { try? writer.close() }
        while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
            try writer.write(contentsOf: chunk)
        }
    }

    deinit { if spooled { try? FileManager.default.removeItem(atPath: path) } }

    func open() throws -> CSVFile { try CSVFile(path: path) }

    /// The first record, or the reason there is none.
    func header() throws -> CSVReader.Record {
        guard let header = try open().next() else {
            throw InputError.invalid(
                field: "file", value: spooled ? "-" : path,
                expected: "a CSV with a header line (\(DeliveryCSV.columns.joined(separator: ","))) and rows; the file is empty")
        }
        return header
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
            var directory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &directory), directory.boolValue {
                throw InputError.invalid(field: "file", value: path, expected: "a CSV file, not a directory")
            }
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
