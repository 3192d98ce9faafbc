/// A calendar date for SQL `date`: year, month and day, with no time and no time zone, so it cannot
/// drift when the process or the server runs in another zone.
public struct PostgresDate: Sendable, Hashable, Comparable, CustomStringConvertible, PostgresCodable {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid proleptic-Gregorian date, or `nil` (2023-02-30 is `nil`).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` after 1970-01-01.
    public init(daysSinceEpoch days: Int) {
        let civil = CivilCalendar.civil(fromDays: days)
        year = civil.year
        month = civil.month
        day = civil.day
    }

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int { CivilCalendar.days(year: year, month: month, day: day) }

    /// `YYYY-MM-DD`.
    public var description: String { CivilCalendar.isoDate(year: year, month: month, day: day) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public static var postgresTypeOID: UInt32 { PostgresTypeOID.date }
    public var postgresText: String? { description }
    /// Strict `YYYY-MM-DD` (the server's ISO DateStyle output).
    public init?(postgresText: String) {
        guard let parts = CivilCalendar.parseISODate(postgresText) else { return nil }
        self.init(year: parts.year, month: parts.month, day: parts.day)
    }
}

/// Howard Hinnant's days-from-civil algorithms: exact, time-zone free calendar arithmetic.
enum CivilCalendar {
    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays value: Int) -> (year: Int, month: Int, day: Int) {
        let z = value + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    static func isoDate(year: Int, month: Int, day: Int) -> String {
        "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Digits only, exactly `YYYY-MM-DD`; range checks are the caller's.
    static func parseISODate<S: StringProtocol>(_ text: S) -> (year: Int, month: Int, day: Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        return (year, month, day)
    }
}
