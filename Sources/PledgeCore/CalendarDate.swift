import Foundation

/// A day on the calendar (no time, no zone): announcement dates, deadlines, delivery dates.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// A valid proleptic-Gregorian date in years 1–9999, or `nil` (2023-02-30 is `nil`).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Self.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        daysSinceEpoch = Self.days(year: year, month: month, day: day)
    }

    /// Strict `YYYY-MM-DD`.
    public init?(iso text: String) {
        var text = text
        guard let date = text.withUTF8({ CalendarDate(isoUTF8: $0) }) else { return nil }
        self = date
    }

    /// Strict `YYYY-MM-DD`, from its UTF-8 bytes (a date inside a longer text, such as an array's).
    public init?(isoUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 10, bytes[4] == 45, bytes[7] == 45 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Parses a user-supplied date, naming the field in the error.
    public static func parse(_ text: String, field: String) throws(InputError) -> CalendarDate {
        guard let date = CalendarDate(iso: text) else {
            throw .invalid(field: field, value: text, expected: "a real calendar date as YYYY-MM-DD")
        }
        return date
    }

    /// Today in UTC.
    public static func today(now: Date = Date()) -> CalendarDate {
        CalendarDate(daysSinceEpoch: Int((now.timeIntervalSince1970 / 86_400).rounded(.down)))
    }

    /// The UTC day of a Unix time in whole seconds, and the seconds since that day's midnight (0–86,399),
    /// before 1970 too.
    public static func split(epochSeconds seconds: Int) -> (date: CalendarDate, secondOfDay: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        return (CalendarDate(daysSinceEpoch: days), seconds - days * 86_400)
    }

    public var components: (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public func adding(days: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + days) }
    public func days(until other: CalendarDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// `YYYY-MM-DD`.
    /// `YYYY-MM-DD`. Years 0–9999 (every date a ledger holds) are written digit by digit into a string
    /// small enough to need no allocation — a dashboard prints one per timeline point; others padded.
    public var description: String {
        let (y, m, d) = components
        guard (0...9999).contains(y) else { return Self.padded(y, m, d) }
        return String(unsafeUninitializedCapacity: 10) { Self.writeISO(y, m, d, into: $0) }
    }

    /// Appends `description`'s UTF-8 bytes to `bytes` without making the string (a dashboard writes one
    /// date per timeline point).
    public func appendISO(to bytes: inout [UInt8]) {
        let (y, m, d) = components
        guard (0...9999).contains(y) else { return bytes.append(contentsOf: Self.padded(y, m, d).utf8) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { buffer in
            bytes.append(contentsOf: buffer[..<Self.writeISO(y, m, d, into: buffer)])
        }
    }

    /// Writes `YYYY-MM-DD` for a year 0–9999 into the first ten bytes of `buffer`; returns 10.
    private static func writeISO(_ y: Int, _ m: Int, _ d: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        func digit(_ value: Int) -> UInt8 { UInt8(ascii: "0") + UInt8(value % 10) }
        buffer[0] = digit(y / 1000)
        buffer[1] = digit(y / 100)
        buffer[2] = digit(y / 10)
        buffer[3] = digit(y)
        buffer[4] = UInt8(ascii: "-")
        buffer[5] = digit(m / 10)
        buffer[6] = digit(m)
        buffer[7] = UInt8(ascii: "-")
        buffer[8] = digit(d / 10)
        buffer[9] = digit(d)
        return 10
    }

    static func padded(_ y: Int, _ m: Int, _ d: Int) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM-DD"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }
}
