/// An RFC 4180 CSV reader fed with bytes as they arrive, so a file of any size is read in constant memory.
///
/// Quoted fields may hold commas, quotes (doubled) and line breaks; CRLF and LF both end records.
/// Each record knows the physical line it started on. A record whose bytes are not valid UTF-8 is reported
/// as such rather than silently repaired.
public struct CSVReader: Sendable {
    /// One record: its fields, or why it could not be read.
    public struct Record: Sendable, Equatable {
        public let line: Int
        public let fields: [String]
        public let problem: String?
    }

    private var fields: [String] = []
    private var field: [UInt8] = []
    private var inQuotes = false
    private var quoteSeenInQuotes = false
    private var recordHasContent = false
    private var invalidUTF8 = false
    private var line = 1
    private var recordLine = 1
    private var afterCR = false

    public init() {}

    /// The first bytes of the input while they may still be a UTF-8 byte order mark (which spreadsheets
    /// put before a "CSV UTF-8" file's header, and which is not part of the first field); nil once decided.
    private var start: [UInt8]? = []
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Consumes `bytes`, returning the records completed by them.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Record] {
        var completed: [Record] = []
        for byte in bytes {
            guard var opening = start else {
                consume(byte, into: &completed)
                continue
            }
            opening.append(byte)
            if opening == Self.byteOrderMark {
                start = nil
            } else if Self.byteOrderMark.starts(with: opening) {
                start = opening
            } else {
                start = nil
                for byte in opening { consume(byte, into: &completed) }
            }
        }
        return completed
    }

    private mutating func consume(_ byte: UInt8, into completed: inout [Record]) {
        if afterCR {
            afterCR = false
            if byte == 0x0A { return }
        }
        if inQuotes {
            if quoteSeenInQuotes {
                quoteSeenInQuotes = false
                if byte == 0x22 {
                    field.append(0x22)
                    return
                }
                inQuotes = false
                // fall through: the byte after a closing quote is handled as unquoted
            } else if byte == 0x22 {
                quoteSeenInQuotes = true
                return
            } else {
                if byte == 0x0A { line += 1 }
                field.append(byte)
                return
            }
        }
        switch byte {
        case 0x22 where field.isEmpty:
            inQuotes = true
            recordHasContent = true
        case 0x2C:
            endField()
            recordHasContent = true
        case 0x0A, 0x0D:
            if byte == 0x0D { afterCR = true }
            if let record = endRecord() { completed.append(record) }
            line += 1
            recordLine = line
        default:
            field.append(byte)
            recordHasContent = true
        }
    }

    /// Ends the input: returns the last record when the file does not end with a line break, and a problem
    /// when a quoted field was never closed.
    public mutating func finish() -> [Record] {
        // Fewer bytes than a byte order mark, all of them like its start: they are the input (and, being
        // neither a separator nor a line break, complete no record).
        if let opening = start {
            start = nil
            var none: [Record] = []
            for byte in opening { consume(byte, into: &none) }
        }
        if inQuotes && !quoteSeenInQuotes {
            inQuotes = false
            let line = recordLine
            reset()
            return [Record(line: line, fields: [], problem: "a quoted field is never closed")]
        }
        inQuotes = false
        quoteSeenInQuotes = false
        return endRecord().map { [$0] } ?? []
    }

    private mutating func endField() {
        if let text = String(validating: field, as: UTF8.self) {
            fields.append(text)
        } else {
            invalidUTF8 = true
            fields.append("")
        }
        field.removeAll(keepingCapacity: true)
    }

    private mutating func endRecord() -> Record? {
        guard recordHasContent || !field.isEmpty || !fields.isEmpty else {
            reset()
            return nil
        }
        endField()
        let record = Record(
            line: recordLine, fields: fields, problem: invalidUTF8 ? "the line is not valid UTF-8" : nil)
        reset()
        return record
    }

    private mutating func reset() {
        fields.removeAll(keepingCapacity: true)
        field.removeAll(keepingCapacity: true)
        recordHasContent = false
        invalidUTF8 = false
    }
}
