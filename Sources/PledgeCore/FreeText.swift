import Foundation

/// Limits on free text: long enough for real citations, short enough to keep the ledger sane, and only
/// characters that print as what they are.
///
/// A ledger's texts end up on terminals (`pledge list`, `pledge show`), in cron's mail and in alerts.
/// Control characters there are a typo at best (a pasted tab, a stray carriage return) and at worst an
/// escape sequence that rewrites what the reader sees; bidirectional overrides make the same bytes read
/// differently. None of them is needed to name a donor or cite a source, so they are refused on entry,
/// with the character and where it is, and escaped wherever a stored one is shown to a person.
public enum FreeText {
    /// Whether a text may span lines. Names, titles and sources are one line; notes and reasons may have
    /// line breaks (`\n`, or `\r\n` as an editor on Windows writes them) and tabs — not Unicode's line and
    /// paragraph separators, which terminals show differently or not at all.
    public enum Lines: Sendable {
        case single, multiple
    }

    public static func validate(
        _ text: String, field: String, maxLength: Int = 2000, required: Bool = false, lines: Lines = .single
    ) throws(InputError) -> String {
        if required && text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .invalid(field: field, value: text, expected: "a non-empty text")
        }
        // Counted as PostgreSQL's length() counts, in code points: "é" written as e and a combining accent is
        // one character on screen (one `Character`) but two here, and the database's check would refuse it.
        guard text.unicodeScalars.count <= maxLength else {
            throw .invalid(field: field, value: text, expected: "at most \(maxLength) characters")
        }
        if let found = firstRefused(in: text, lines: lines) {
            throw .invalid(field: field, value: text, expected: expectation(found, lines: lines))
        }
        return text
    }

    /// The first character `text` may not hold, with its position (1-based, in code points), or nil.
    public static func firstRefused(in text: String, lines: Lines) -> (scalar: Unicode.Scalar, position: Int)? {
        // Most texts are printable ASCII: one pass over the bytes, no scalar decoding.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() where !isAllowed(scalar, lines: lines) {
            // A carriage return is a line break only as the first half of "\r\n".
            if lines == .multiple, scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { continue }
            return (scalar, index + 1)
        }
        return nil
    }

    /// What a field expected, for a text refused because of `found`.
    static func expectation(_ found: (scalar: Unicode.Scalar, position: Int), lines: Lines) -> String {
        let kind =
            switch found.scalar.value {
            case 0: "a NUL character, which PostgreSQL text cannot hold"
            case 0x0D where lines == .multiple: "a carriage return without a line feed"
            case 0x0A, 0x0D: "a line break"
            case 0x2028, 0x2029: "a Unicode line or paragraph separator"
            case 0x09: "a tab"
            case 0x202A...0x202E, 0x2066...0x2069: "a bidirectional formatting character"
            default: "a control character"
            }
        let text = lines == .single ? "a single line of printable text" : "printable text (line breaks and tabs allowed)"
        return "\(text); found \(kind), \(code(found.scalar)), at character \(found.position)"
    }

    /// Whether `scalar` may stand in a text.
    static func isAllowed(_ scalar: Unicode.Scalar, lines: Lines) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: lines == .multiple
        case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029: false
        case 0x202A...0x202E, 0x2066...0x2069: false
        default: true
        }
    }

    /// `text` as it can be shown on a terminal: every character a text may not hold (on one line, or with
    /// line breaks and tabs kept) written as `\u{1B}`. Texts stored before these checks, or by SQL, print
    /// as what they contain rather than acting on the terminal.
    public static func visible(_ text: String, lines: Lines = .single) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var shown = ""
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            let pairedReturn = lines == .multiple && scalar == "\r" && index + 1 < scalars.count && scalars[index + 1] == "\n"
            if isAllowed(scalar, lines: lines) || pairedReturn {
                shown.unicodeScalars.append(scalar)
            } else {
                shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return shown
    }

    /// `U+001B`.
    static func code(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
