import Foundation
import Testing
import TestSupport

@Suite("free text: stored verbatim when printable; refused, clearly, when absurdly long or holding what a terminal would act on")
struct FreeTextTests {
    /// SQL and shell metacharacters, a placeholder, quotes, backslashes, a format directive, combining marks,
    /// emoji (a flag is two scalars, a family is joined by ZWJs), right-to-left text and a zero-width space.
    static let nasty = "'); DROP TABLE delivery; -- $1 $$ \"q\" 'a' `b` \\ \\\\ \\n %s %n e\u{301} 🇺🇦 👩‍👩‍👧 الاتحاد \u{200B}end"
    /// As `nasty`, with the line breaks (\n, \r\n) and tab a note or a reason may have.
    static let nastyLines = nasty + "\nline 2\tTab\r\nline 3"

    @Test("every text field of pledge add is stored and read back verbatim, and no table is dropped")
    func pledgeAdd() throws {
        try ScratchDatabase.with { db in
            let text = Self.nasty
            try db.succeed([
                "pledge", "add", "nasty-text", "--donor", "donor \(text)", "--recipient", "recipient \(text)",
                "--title", "title \(text)", "--category", "humanitarian", "--unit", "EUR", "--target", "1000.50",
                "--announced", "2024-01-01", "--deadline", "2025-01-01", "--source", "source \(text)",
                "--notes", "notes \(Self.nastyLines)", "--by", "by \(text)",
            ])
            let pledge = try db.show("nasty-text")
            #expect(verbatim(pledge.donor, "donor \(text)"), "\(pledge.donor)")
            #expect(verbatim(pledge.recipient, "recipient \(text)"), "\(pledge.recipient)")
            #expect(verbatim(pledge.title, "title \(text)"), "\(pledge.title)")
            #expect(verbatim(pledge.source, "source \(text)"), "\(pledge.source)")
            #expect(verbatim(pledge.notes, "notes \(Self.nastyLines)"), "\(pledge.notes)")
            #expect(verbatim(pledge.original.recordedBy, "by \(text)"), "\(pledge.original.recordedBy)")
            #expect(pledge.original.target == "1000.5")
            #expect(try db.list().map(\.donor) == ["donor \(text)"])
            #expect(try db.connect().query("SELECT to_regclass('delivery') IS NOT NULL").scalar(Bool.self))
            // The notes' lines are shown one under the other, indented.
            let shown = try db.succeed(["pledge", "show", "nasty-text"]).stdout
            #expect(shown.contains("  notes: notes \(text)\n         line 2\tTab\r\n         line 3\n"), "\(shown)")
        }
    }

    @Test("every text field of delivery record is stored and read back verbatim, and no table is dropped")
    func deliveryRecord() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let text = Self.nasty
            let key = "key " + text
            let recorded = try decode(
                RecordedJSON.self,
                try db.succeed([
                    "delivery", "record", "eu-1m-rounds", "--quantity", "1200", "--on", "2024-01-15",
                    "--contributor", "contributor \(text)", "--source", "source \(text)", "--note", "note \(Self.nastyLines)",
                    "--idempotency-key", key,
                    "--by", "by \(text)", "--json",
                ]))
            let entry = try #require(try db.entries("eu-1m-rounds").first { $0.id == recorded.entry })
            #expect(verbatim(entry.contributor, "contributor \(text)"), "\(entry.contributor ?? "nil")")
            #expect(verbatim(entry.source, "source \(text)"), "\(entry.source)")
            #expect(verbatim(entry.note, "note \(Self.nastyLines)"), "\(entry.note)")
            #expect(verbatim(entry.recordedBy, "by \(text)"), "\(entry.recordedBy)")
            #expect(verbatim(entry.idempotencyKey, key), "\(entry.idempotencyKey ?? "nil")")
            #expect(entry.quantity == "1200")
            // The table-form listing reads the same rows without failing on them.
            let listed = try db.succeed(["delivery", "list", "eu-1m-rounds"]).stdout
            #expect(listed.contains("by \(text.prefix(20))"), "\(listed)")
            #expect(try db.connect().query("SELECT count(*) FROM delivery").scalar(Int.self) == 2)
        }
    }

    @Test("texts stored before these checks (or by SQL) are shown escaped by list, show and the delivery list, a row per line")
    func storedControlsShownEscaped() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let connection = try db.connect()
            try connection.execute("UPDATE pledge SET title = 'EU ' || chr(27) || '[2J' || chr(13) || 'rounds' WHERE public_id = 'eu-1m-rounds'")
            try connection.execute("UPDATE party SET name = 'Council' || chr(8238) || 'EU' WHERE name = 'European Union'")
            for arguments in [["pledge", "list"], ["pledge", "show", "eu-1m-rounds"]] {
                let out = try db.succeed(arguments).stdout
                #expect(arguments.contains("list") || out.contains("EU \\u{1B}[2J\\u{D}rounds"), "\(arguments): \(out)")
                #expect(out.contains("Council\\u{202E}EU"), "\(arguments): \(out)")
                #expect(!out.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x0D || $0.value == 0x202E }, "\(arguments)")
            }
            try connection.execute(
                """
                INSERT INTO delivery (pledge_id, kind, delivered_on, quantity, recorded_by, source)
                SELECT id, 'delivery', '2024-01-15', 5, 'sql', 'line 1' || chr(10) || 'line 2' || chr(155) FROM pledge WHERE public_id = 'eu-1m-rounds'
                """)
            let listed = try db.succeed(["delivery", "list", "eu-1m-rounds"]).stdout
            #expect(listed.contains("line 1\\u{A}line 2\\u{9B}"), "\(listed)")
            #expect(listed.unicodeScalars.filter { $0 == "\n" }.count == 3, "a header and two rows: \(listed)")
            // JSON keeps the stored text exactly: programs get what is there.
            #expect(try db.show("eu-1m-rounds").title == "EU \u{1B}[2J\rrounds")
        }
    }

    @Test("an idempotency key with a line break is refused, naming the field")
    func keyWithControlCharacter() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let before = try DatabaseSnapshot.take(db)
            let result = try db.run([
                "delivery", "record", "eu-1m-rounds", "--quantity", "5", "--on", "2024-01-15", "--idempotency-key", "a\nb",
            ])
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("idempotency-key"))
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test(
        "a 100,000-character value is refused with a short message naming the field and the length; nothing is written",
        arguments: LongValue.cases)
    func hundredThousandCharacters(_ value: LongValue) throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let before = try DatabaseSnapshot.take(db)
            let result = try db.run(value.arguments)
            #expect(result.status == 65, "exit \(result.status): \(result.stderr.prefix(500))")
            #expect(result.stderr.contains("invalid \(value.field): \"start-xxx"), "\(result.stderr.prefix(500))")
            #expect(result.stderr.contains("100000 characters"), "\(result.stderr.prefix(500))")
            #expect(result.stderr.utf8.count < 1_000, "stderr should not echo the whole value")
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

}

/// A command with one 100,000-character value, and the field the refusal must name.
struct LongValue: Sendable, CustomTestStringConvertible {
    let field: String
    let arguments: [String]
    var testDescription: String { "--\(field) of \(arguments.prefix(2).joined(separator: " "))" }

    /// 100,000 characters (ASCII: Linux caps one argument at 128 KiB), recognisable at both ends.
    static let text = "start-" + String(repeating: "x", count: 100_000 - 10) + "-end"

    static let cases: [LongValue] = [
        LongValue(field: "note", arguments: record + ["--note", text]),
        LongValue(field: "source", arguments: record + ["--source", text]),
        LongValue(field: "contributor", arguments: record + ["--contributor", text]),
        LongValue(field: "idempotency-key", arguments: record + ["--idempotency-key", text]),
        LongValue(field: "by", arguments: record + ["--by", text]),
        LongValue(
            field: "source",
            arguments: ["delivery", "report-total", "eu-1m-rounds", "--total", "400000", "--as-of", "2024-01-15", "--source", text]),
        LongValue(field: "reason", arguments: ["delivery", "void", "1", "--reason", text]),
        LongValue(field: "reason", arguments: ["delivery", "correct", "1", "--quantity", "310000", "--reason", text]),
        LongValue(field: "reason", arguments: ["pledge", "amend", "eu-1m-rounds", "--target", "900000", "--reason", text]),
        LongValue(field: "reason", arguments: ["pledge", "withdraw", "eu-1m-rounds", "--reason", text]),
        LongValue(field: "donor", arguments: pledgeAdd(donor: text)),
        LongValue(field: "recipient", arguments: pledgeAdd(recipient: text)),
        LongValue(field: "title", arguments: pledgeAdd(title: text)),
        LongValue(field: "source", arguments: pledgeAdd(source: text)),
        LongValue(field: "notes", arguments: pledgeAdd(notes: text)),
        LongValue(field: "source", arguments: ["fx", "set", "EUR", "GBP", "0.85", "--on", "2024-01-15", "--source", text]),
    ]

    static let record = ["delivery", "record", "eu-1m-rounds", "--quantity", "5", "--on", "2024-01-15"]

    static func pledgeAdd(
        donor: String = "D", recipient: String = "R", title: String = "T", source: String = "", notes: String = ""
    ) -> [String] {
        [
            "pledge", "add", "long-text", "--donor", donor, "--recipient", recipient, "--title", title,
            "--category", "military", "--unit", "rounds", "--target", "5", "--announced", "2024-01-01",
            "--deadline", "2025-01-01", "--source", source, "--notes", notes,
        ]
    }
}

extension BadInput {
    /// A text field given a character it may not hold: 65; the refusal names the field, shows the value as
    /// `shown` (the character escaped) and says which character it is and where (`found`).
    static func character(_ found: String, field: String, shown: String, _ arguments: [String]) -> BadInput {
        BadInput(
            name: "\(arguments.prefix(2).joined(separator: " ")) --\(field) with \(found)", arguments: arguments, status: 65,
            mentions: ["invalid \(field): \"\(shown)\"", found])
    }

    /// Values a terminal would act on: refused, or quoted escaped in the message, which stays one line.
    static let controlCharacters: [BadInput] = [
        BadInput(
            name: "an --out path with a line break, a tab and a line separator: one line of message, not three",
            arguments: ["export", "--out", "/nonexistent/x\npledgewatch: export ok\tdone\u{2028}y"],
            status: 66, mentions: ["/nonexistent/x\\u{A}pledgewatch: export ok\\u{9}done\\u{2028}y"]),
        .character(
            "a control character, U+001B, at character 2", field: "idempotency-key", shown: "k\\u{1B}]0;x\\u{7}",
            ["delivery", "report-total", "eu-1m-rounds", "--total", "400000", "--as-of", "2024-01-15", "--idempotency-key", "k\u{1B}]0;x\u{7}"]),
        BadInput(
            name: "--idempotency-key of report-total, 201 characters",
            arguments: ["delivery", "report-total", "eu-1m-rounds", "--total", "400000", "--as-of", "2024-01-15", "--idempotency-key", String(repeating: "k", count: 201)],
            status: 65, mentions: ["invalid idempotency-key", "1 to 200 characters"]),
        .character(
            "a tab, U+0009, at character 2", field: "idempotency-key", shown: "a\\u{9}b",
            LongValue.record + ["--idempotency-key", "a\tb"]),
        BadInput(
            name: "a reason of line breaks only", arguments: ["delivery", "void", "1", "--reason", "\n\n"],
            status: 65, mentions: ["invalid reason: \"\\u{A}\\u{A}\"", "a non-empty text"]),
        .character(
            "a control character, U+001B, at character 5", field: "reason", shown: "gone\\u{1B}[8m",
            ["pledge", "withdraw", "eu-1m-rounds", "--reason", "gone\u{1B}[8m"]),
        .character(
            "a Unicode line or paragraph separator, U+2028, at character 5", field: "reason", shown: "typo\\u{2028}fixed",
            ["delivery", "correct", "1", "--quantity", "310000", "--reason", "typo\u{2028}fixed"]),
        BadInput(
            name: "an --out path with an escape sequence, in a directory that does not exist",
            arguments: ["export", "--out", "/nonexistent-\u{1B}[2J/dashboard.json"],
            status: 66, mentions: ["/nonexistent-\\u{1B}[2J/dashboard.json"]),
        .character(
            "a control character, U+001B, at character 4", field: "title", shown: "EU \\u{1B}[2J rounds",
            LongValue.pledgeAdd(title: "EU \u{1B}[2J rounds")),
        .character(
            "a line break, U+000D, at character 3", field: "donor", shown: "EU\\u{D}Council",
            LongValue.pledgeAdd(donor: "EU\rCouncil")),
        .character(
            "a tab, U+0009, at character 4", field: "recipient", shown: "Ukr\\u{9}aine",
            LongValue.pledgeAdd(recipient: "Ukr\taine")),
        .character(
            "a bidirectional formatting character, U+202E, at character 8", field: "title", shown: "rounds \\u{202E}lanigiro",
            LongValue.pledgeAdd(title: "rounds \u{202E}lanigiro")),
        .character(
            "a line break, U+000A, at character 20", field: "source", shown: "https://example.org\\u{A}second",
            LongValue.pledgeAdd(source: "https://example.org\nsecond")),
        .character(
            "a carriage return without a line feed, U+000D, at character 4", field: "notes", shown: "a\\u{A}b\\u{D}c",
            LongValue.pledgeAdd(notes: "a\nb\rc")),
        .character(
            "a control character, U+009B, at character 3", field: "note", shown: "ok\\u{9B}31m",
            LongValue.record + ["--note", "ok\u{9B}31m"]),
        .character(
            "a control character, U+007F, at character 8", field: "contributor", shown: "Germany\\u{7F}",
            LongValue.record + ["--contributor", "Germany\u{7F}"]),
        .character(
            "a control character, U+0007, at character 6", field: "by", shown: "admin\\u{7}",
            LongValue.record + ["--by", "admin\u{7}"]),
        .character(
            "U+001B, at character 2", field: "source", shown: "a\\u{1B}b",
            ["delivery", "report-total", "eu-1m-rounds", "--total", "400000", "--as-of", "2024-01-15", "--source", "a\u{1B}b"]),
        .character(
            "U+001B, at character 2", field: "reason", shown: "x\\u{1B}[1A",
            ["pledge", "amend", "eu-1m-rounds", "--target", "900000", "--reason", "x\u{1B}[1A"]),
        .character(
            "U+0008, at character 5", field: "reason", shown: "typo\\u{8}\\u{8}",
            ["delivery", "void", "1", "--reason", "typo\u{8}\u{8}"]),
        .character(
            "a bidirectional formatting character, U+2066, at character 4", field: "source", shown: "ECB\\u{2066}",
            ["fx", "set", "EUR", "GBP", "0.85", "--on", "2024-01-15", "--source", "ECB\u{2066}"]),
        .character(
            "U+001B, at character 8", field: "reason", shown: "briefed\\u{1B}",
            ["silence", "add", "--pledge", "eu-1m-rounds", "--until", "2099-12-31", "--reason", "briefed\u{1B}"]),
    ]
}

/// Byte-for-byte equality: `==` on `String` would accept a normalised form (é as one scalar or two).
func verbatim(_ stored: String?, _ typed: String) -> Bool {
    stored.map { Array($0.utf8) == Array(typed.utf8) } ?? false
}
