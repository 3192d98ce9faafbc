import Testing
import TestSupport

@Suite("free text: stored verbatim, whatever it contains; refused, clearly, when absurdly long")
struct FreeTextTests {
    /// SQL and shell metacharacters, a placeholder, quotes, backslashes, a format directive, a line break,
    /// a tab, combining marks and emoji (a flag is two scalars, a family is joined by ZWJs).
    static let nasty = "'); DROP TABLE delivery; -- $1 $$ \"q\" 'a' `b` \\ \\\\ \\n %s %n\nline 2\tTab e\u{301} 🇺🇦 👩‍👩‍👧 \u{200B}end"

    @Test("every text field of pledge add is stored and read back verbatim, and no table is dropped")
    func pledgeAdd() throws {
        try ScratchDatabase.with { db in
            let text = Self.nasty
            try db.succeed([
                "pledge", "add", "nasty-text", "--donor", "donor \(text)", "--recipient", "recipient \(text)",
                "--title", "title \(text)", "--category", "humanitarian", "--unit", "EUR", "--target", "1000.50",
                "--announced", "2024-01-01", "--deadline", "2025-01-01", "--source", "source \(text)",
                "--notes", "notes \(text)", "--by", "by \(text)",
            ])
            let pledge = try db.show("nasty-text")
            #expect(verbatim(pledge.donor, "donor \(text)"), "\(pledge.donor)")
            #expect(verbatim(pledge.recipient, "recipient \(text)"), "\(pledge.recipient)")
            #expect(verbatim(pledge.title, "title \(text)"), "\(pledge.title)")
            #expect(verbatim(pledge.source, "source \(text)"), "\(pledge.source)")
            #expect(verbatim(pledge.notes, "notes \(text)"), "\(pledge.notes)")
            #expect(verbatim(pledge.original.recordedBy, "by \(text)"), "\(pledge.original.recordedBy)")
            #expect(pledge.original.target == "1000.5")
            #expect(try db.list().map(\.donor) == ["donor \(text)"])
            #expect(try db.connect().query("SELECT to_regclass('delivery') IS NOT NULL").scalar(Bool.self))
        }
    }

    @Test("every text field of delivery record is stored and read back verbatim, and no table is dropped")
    func deliveryRecord() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let text = Self.nasty
            // A key may hold anything printable, but no control characters (see the next test).
            let key = "key " + text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
            let recorded = try decode(
                RecordedJSON.self,
                try db.succeed([
                    "delivery", "record", "eu-1m-rounds", "--quantity", "1200", "--on", "2024-01-15",
                    "--contributor", "contributor \(text)", "--source", "source \(text)", "--note", "note \(text)",
                    "--idempotency-key", key,
                    "--by", "by \(text)", "--json",
                ]))
            let entry = try #require(try db.entries("eu-1m-rounds").first { $0.id == recorded.entry })
            #expect(verbatim(entry.contributor, "contributor \(text)"), "\(entry.contributor ?? "nil")")
            #expect(verbatim(entry.source, "source \(text)"), "\(entry.source)")
            #expect(verbatim(entry.note, "note \(text)"), "\(entry.note)")
            #expect(verbatim(entry.recordedBy, "by \(text)"), "\(entry.recordedBy)")
            #expect(verbatim(entry.idempotencyKey, key), "\(entry.idempotencyKey ?? "nil")")
            #expect(entry.quantity == "1200")
            // The table-form listing reads the same rows without failing on them.
            #expect(try db.succeed(["delivery", "list", "eu-1m-rounds"]).stdout.contains("by \(text.prefix(20))"))
            #expect(try db.connect().query("SELECT count(*) FROM delivery").scalar(Int.self) == 2)
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

/// Byte-for-byte equality: `==` on `String` would accept a normalised form (é as one scalar or two).
func verbatim(_ stored: String?, _ typed: String) -> Bool {
    stored.map { Array($0.utf8) == Array(typed.utf8) } ?? false
}
