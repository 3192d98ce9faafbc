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

/// An import's input that can be read more than once. A regular file is read where it is. Anything else —
/// standard input (`-`), a named pipe, `/dev/stdin`, a shell's `<(…)` — can be read only once, so it is
/// first copied whole into a temporary file, which is unlinked as soon as it is made: only the open
/// descriptor keeps it, so nothing is left behind however the process ends (Ctrl-C, SIGTERM, a crash).
final class ReplayableInput {
    /// The name the user gave (`-` for standard input), for messages.
    let name: String
    private enum Source {
        case file(String)
        case spooled(Int32)
    }
    private let source: Source

    init(path: String) throws {
        name = path
        if path != "-" {
            var info = stat()
            // A path that does not exist, cannot be read or is a directory is CSVFile's to report.
            guard stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG, info.st_mode & S_IFMT != S_IFDIR else {
                source = .file(path)
                return
            }
        }
        source = .spooled(try Self.spool(path == "-" ? FileHandle.standardInput : try Self.openOnce(path), name: path))
    }

    deinit { if case .spooled(let fd) = source { close(fd) } }

    private static func openOnce(_ path: String) throws -> FileHandle {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw InputError.notFound(what: "readable file", id: path) }
        return handle
    }

    /// Copies `input` to its end into an unlinked temporary file; returns its descriptor.
    private static func spool(_ input: FileHandle, name: String) throws -> Int32 {
        let directory = FileManager.default.temporaryDirectory.path
        var template = Array("\(directory)/pledgewatch-import-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            throw SpoolError(
                description: "cannot keep \(name == "-" ? "standard input" : name) in a temporary file in \(directory) "
                    + "(\(String(cString: strerror(errno)))): set TMPDIR to a writable directory")
        }
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        do {
            let writer = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
            while let chunk = try Self.read(input, name: name), !chunk.isEmpty {
                do {
                    try writer.write(contentsOf: chunk)
                } catch {
                    throw SpoolError(
                        description: "cannot keep \(name == "-" ? "standard input" : name) in a temporary file in \(directory) "
                            + "(\(Self.reason(error))): set TMPDIR to a directory with room")
                }
            }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// A chunk, or an error naming the input (not Foundation's domain and code).
    private static func read(_ input: FileHandle, name: String) throws -> Data? {
        do {
            return try input.read(upToCount: 1 << 20)
        } catch {
            throw InputError.invalid(field: "file", value: name, expected: "a CSV file that can be read (\(Self.reason(error)))")
        }
    }

    /// The system's words for a Foundation file error ("No space left on device"), not its domain and code.
    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        return underlying.map { String(cString: strerror(Int32($0.code))) } ?? "\(error)"
    }

    /// A reader from the first byte.
    func open() throws -> CSVFile {
        switch source {
        case .file(let path): return try CSVFile(path: path)
        case .spooled(let fd):
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else {
                throw SpoolError(description: "cannot read back the temporary copy of \(name): \(String(cString: strerror(errno)))")
            }
            guard lseek(copy, 0, SEEK_SET) == 0 else {
                let reason = String(cString: strerror(errno))
                close(copy)
                throw SpoolError(description: "cannot read back the temporary copy of \(name): \(reason)")
            }
            return CSVFile(handle: FileHandle(fileDescriptor: copy, closeOnDealloc: true))
        }
    }

    /// The first record, or the reason there is none.
    func header() throws -> CSVReader.Record {
        guard let header = try open().next() else {
            throw InputError.invalid(
                field: "file", value: name,
                expected: "a CSV with a header line (\(DeliveryCSV.columns.joined(separator: ","))) and rows; the file is empty")
        }
        return header
    }
}

/// An import's temporary copy of its input could not be made or read back: the machine's trouble (no
/// writable temporary directory, a full disk), not the input's.
public struct SpoolError: Error, CustomStringConvertible {
    public let description: String
}

/// CSV records from a file or standard input, read 64 KiB at a time.
final class CSVFile {
    private let handle: FileHandle
    private let ownsHandle: Bool
    private var reader = CSVReader()
    private var pending: [CSVReader.Record] = []
    private var pendingIndex = 0
    private var finished = false

    /// Reads from `handle`, which it closes when released.
    init(handle: FileHandle) {
        self.handle = handle
        ownsHandle = true
    }

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
