import Foundation

/// `timestamptz` text: written in UTC with microseconds, read in any offset the server uses.
enum TimestampText {
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let micros = Int(totalMicros)
        var days = micros / 86_400_000_000
        var remainder = micros % 86_400_000_000
        if remainder < 0 {
            remainder += 86_400_000_000
            days -= 1
        }
        let civil = CivilCalendar.civil(fromDays: days)
        let seconds = remainder / 1_000_000
        let fraction = remainder % 1_000_000
        let p = CivilCalendar.pad
        return CivilCalendar.isoDate(year: civil.year, month: civil.month, day: civil.day)
            + " \(p(seconds / 3600, 2)):\(p(seconds / 60 % 60, 2)):\(p(seconds % 60, 2)).\(p(fraction, 6))+00"
    }

    /// `YYYY-MM-DD HH:MM:SS[.f…](+|-)HH[:MM[:SS]]`, also with `T` as the separator.
    static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count >= 19, let date = CivilCalendar.parseISODate(String(decoding: chars[0..<10], as: UTF8.self)),
            chars[10] == UInt8(ascii: " ") || chars[10] == UInt8(ascii: "T")
        else { return nil }
        var index = 11
        func digits(_ count: Int) -> Int? {
            guard index + count <= chars.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let c = chars[index]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
                index += 1
            }
            return value
        }
        func expect(_ ascii: Unicode.Scalar) -> Bool {
            guard index < chars.count, chars[index] == UInt8(ascii: ascii) else { return false }
            index += 1
            return true
        }
        guard let hour = digits(2), expect(":"), let minute = digits(2), expect(":"), let second = digits(2) else {
            return nil
        }
        var fraction = 0.0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < chars.count {
            if chars[index] == UInt8(ascii: "Z") {
                index += 1
            } else {
                let sign = chars[index] == UInt8(ascii: "-") ? -1 : 1
                guard chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-") else { return nil }
                index += 1
                guard let offsetHours = digits(2) else { return nil }
                var offsetMinutes = 0
                var offsetSecs = 0
                if expect(":") {
                    guard let m = digits(2) else { return nil }
                    offsetMinutes = m
                    if expect(":") {
                        guard let s = digits(2) else { return nil }
                        offsetSecs = s
                    }
                }
                offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60 + offsetSecs)
            }
        }
        guard index == chars.count else { return nil }
        let days = CivilCalendar.days(year: date.year, month: date.month, day: date.day)
        let whole = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(whole) + fraction)
    }
}
