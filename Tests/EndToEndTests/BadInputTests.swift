import Foundation
import Testing
import TestSupport

/// One refused command: what an administrator typed, the exit code it must get, and what stderr must name.
struct BadInput: Sendable, CustomTestStringConvertible {
    let name: String
    let arguments: [String]
    let status: Int32
    /// The field and the value, as stderr must mention them.
    let mentions: [String]

    var testDescription: String { name }

    static let dayAfterTomorrow = isoDate(daysFromNow: 2)

    static let cases: [BadInput] = [
        BadInput(
            name: "a delivery to an unknown pledge id", arguments: record("no-such-pledge", quantity: "5", on: "2024-01-05"),
            status: 66, mentions: ["pledge", "no-such-pledge"]),
        BadInput(
            name: "showing an unknown pledge id", arguments: ["pledge", "show", "no-such-pledge"],
            status: 66, mentions: ["pledge", "no-such-pledge"]),
        BadInput(
            name: "amending an unknown pledge id",
            arguments: ["pledge", "amend", "no-such-pledge", "--target", "5", "--reason", "typo"],
            status: 66, mentions: ["pledge", "no-such-pledge"]),
        BadInput(
            name: "a report for an unknown pledge id",
            arguments: ["delivery", "report-total", "no-such-pledge", "--total", "5", "--as-of", "2024-01-05"],
            status: 66, mentions: ["pledge", "no-such-pledge"]),
        BadInput(
            name: "a zero quantity", arguments: record("eu-1m-rounds", quantity: "0", on: "2024-01-05"),
            status: 65, mentions: ["quantity", "\"0\""]),
        BadInput(
            name: "a negative quantity", arguments: record("eu-1m-rounds", quantity: "-5", on: "2024-01-05"),
            status: 65, mentions: ["quantity", "-5"]),
        BadInput(
            name: "a non-numeric quantity", arguments: record("eu-1m-rounds", quantity: "lots", on: "2024-01-05"),
            status: 65, mentions: ["quantity", "lots"]),
        BadInput(
            name: "a number with a thousands separator in the wrong place and a letter",
            arguments: record("eu-1m-rounds", quantity: "1.000,5e3", on: "2024-01-05"),
            status: 65, mentions: ["quantity", "1.000,5e3"]),
        BadInput(
            name: "1.5 rounds (whole items only)", arguments: record("eu-1m-rounds", quantity: "1.5", on: "2024-01-05"),
            status: 65, mentions: ["quantity", "1.5"]),
        BadInput(
            name: "1.234 EUR (cents only)", arguments: record("de-8bn-2024", quantity: "1.234", on: "2024-01-05"),
            status: 65, mentions: ["quantity", "1.234"]),
        BadInput(
            name: "1.234 USD converted to a EUR pledge",
            arguments: record("de-8bn-2024", quantity: "1.234", on: "2024-03-04") + ["--currency", "USD"],
            status: 65, mentions: ["quantity", "1.234"]),
        BadInput(
            name: "a date in the wrong format", arguments: record("eu-1m-rounds", quantity: "5", on: "05/01/2024"),
            status: 65, mentions: ["date", "05/01/2024"]),
        BadInput(
            name: "an impossible date", arguments: record("eu-1m-rounds", quantity: "5", on: "2023-02-30"),
            status: 65, mentions: ["date", "2023-02-30"]),
        BadInput(
            name: "an impossible --as-of on a read", arguments: ["delivery", "list", "eu-1m-rounds", "--as-of", "2024-13-01"],
            status: 65, mentions: ["as-of", "2024-13-01"]),
        BadInput(
            name: "a delivery before the pledge's counting start",
            arguments: record("de-8bn-2024", quantity: "5", on: "2023-12-31"),
            status: 65, mentions: ["date", "2023-12-31", "2024-01-01"]),
        BadInput(
            name: "a delivery in the future", arguments: record("eu-1m-rounds", quantity: "5", on: dayAfterTomorrow),
            status: 65, mentions: ["date", dayAfterTomorrow]),
        BadInput(
            name: "a reported total in the future",
            arguments: ["delivery", "report-total", "eu-1m-rounds", "--total", "400000", "--as-of", dayAfterTomorrow],
            status: 65, mentions: ["as-of", dayAfterTomorrow]),
        BadInput(
            name: "a currency with no FX rate on that day (there is one on 2024-03-04, not on 2024-03-01)",
            arguments: record("de-8bn-2024", quantity: "108.12", on: "2024-03-01") + ["--currency", "USD"],
            status: 65, mentions: ["currency", "USD", "2024-03-01"]),
        BadInput(
            name: "a currency on a pledge counted in rounds",
            arguments: record("eu-1m-rounds", quantity: "100", on: "2024-03-04") + ["--currency", "USD"],
            status: 65, mentions: ["currency", "USD"]),
        BadInput(
            name: "a reported total below the previous one (300,000 on 2023-11-14)",
            arguments: ["delivery", "report-total", "eu-1m-rounds", "--total", "250000", "--as-of", "2023-12-01"],
            status: 65, mentions: ["total", "250000", "300000"]),
        BadInput(
            name: "voiding an entry that does not exist", arguments: ["delivery", "void", "999999", "--reason", "typo"],
            status: 66, mentions: ["entry", "999999"]),
        BadInput(
            name: "correcting with an empty reason", arguments: ["delivery", "correct", "1", "--quantity", "1", "--reason", " "],
            status: 65, mentions: ["reason"]),
        BadInput(
            name: "a pledge id that is not a slug",
            arguments: [
                "pledge", "add", "Bad Id!", "--donor", "D", "--recipient", "R", "--title", "T", "--category", "military",
                "--unit", "rounds", "--target", "5", "--announced", "2024-01-01", "--deadline", "2025-01-01",
            ],
            status: 65, mentions: ["pledge id", "Bad Id!"]),
        BadInput(
            name: "a pledge whose deadline is before its announcement",
            arguments: [
                "pledge", "add", "backwards", "--donor", "D", "--recipient", "R", "--title", "T", "--category", "military",
                "--unit", "rounds", "--target", "5", "--announced", "2024-01-01", "--deadline", "2023-06-30",
            ],
            status: 65, mentions: ["deadline", "2023-06-30"]),
        BadInput(
            name: "a pledge id that already exists",
            arguments: [
                "pledge", "add", "eu-1m-rounds", "--donor", "D", "--recipient", "R", "--title", "T", "--category", "military",
                "--unit", "rounds", "--target", "5", "--announced", "2024-01-01", "--deadline", "2025-01-01",
            ],
            status: 67, mentions: ["eu-1m-rounds"]),
    ]

    static func record(_ id: String, quantity: String, on date: String) -> [String] {
        ["delivery", "record", id, "--quantity=\(quantity)", "--on", date]
    }
}

@Suite("refused input: the documented exit code, a message naming field and value, and nothing written")
struct BadInputTests {
    @Test("each bad value is refused and leaves the database as it was", arguments: BadInput.cases + BadInput.controlCharacters)
    func refused(_ input: BadInput) throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let before = try DatabaseSnapshot.take(db)
            let result = try db.run(input.arguments)
            #expect(result.status == input.status, "\(result)")
            #expect(result.stderr.hasPrefix("pledgewatch: "), "\(result)")
            for mention in input.mentions {
                #expect(result.stderr.contains(mention), "stderr should name \(mention): \(result.stderr)")
            }
            #expect(result.stdout.isEmpty)
            // Whatever was typed, the message is one printable line: a value's control characters, line
            // breaks and bidirectional controls are shown as \u{…}.
            #expect(result.stderr.unicodeScalars.filter { $0 == "\n" }.count == 1 && result.stderr.hasSuffix("\n"), "\(result.stderr)")
            #expect(result.stderr.unicodeScalars.dropLast().allSatisfy(printableOnOneLine), "\(result.stderr.debugDescription)")
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test("a standard output that cannot be written (a full disk) is a message and exit 74, not a crash; the work is done")
    func unwritableOutput() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            func full(_ arguments: [String]) throws -> CommandResult {
                let devFull = try #require(FileHandle(forWritingAtPath: "/dev/full"))
                defer { try? devFull.close() }
                return try Pledgewatch.run(arguments, database: db.conninfo, stdout: devFull)
            }
            let record = BadInput.record("eu-1m-rounds", quantity: "5000", on: "2024-01-05") + ["--idempotency-key", "full-disk"]
            for arguments in [["pledge", "list"], ["pledge", "list", "--json"], ["export"], ["evaluate", "--verbose"], record] {
                let result = try full(arguments)
                #expect(result.status == 74, "\(arguments): \(result)")
                #expect(result.stderr == "pledgewatch: cannot write to standard output: No space left on device\n", "\(arguments): \(result)")
            }
            // A monitoring check whose line cannot be written is UNKNOWN (Nagios' 3), said on stderr.
            let check = try full(["check", "--as-of", "2023-11-14"])
            #expect(check.status == 3, "\(check)")
            #expect(check.stderr == "pledgewatch: cannot write to standard output: No space left on device\n", "\(check)")
            // The delivery was recorded before its report failed: the same key again adds nothing.
            let retry = try decode(RecordedJSON.self, try db.succeed(record + ["--json"]))
            #expect(!retry.created)
            #expect(try db.entries("eu-1m-rounds").filter { $0.kind == "delivery" }.map(\.quantity) == ["5000"])
        }
    }

    @Test("serve refuses a PLEDGEWATCH_INTERVAL that is not a number (65, naming it) instead of quietly using 900 s")
    func serveIntervalVariable() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            // The log format, checked after the interval, is bad too: were the variable ignored, serve would still
            // exit (naming the log format) instead of running until the test is killed.
            let result = try db.run(
                ["serve", "--listen", "127.0.0.1:0", "--log-format", "bogus"], environment: ["PLEDGEWATCH_INTERVAL": "15m"])
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("PLEDGEWATCH_INTERVAL") && result.stderr.contains("15m"), "\(result.stderr)")
            #expect(result.stdout.isEmpty, "nothing listened")
        }
    }

    @Test("a value the parser refuses is quoted in its message with control characters shown as \\u{…} (64)")
    func parserMessageEscaped() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let result = try db.run(["delivery", "void", "\u{1B}[31m1\u{202E}", "--reason", "x"])
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("'\\u{1B}[31m1\\u{202E}'"), "\(result.stderr)")
            #expect(result.stderr.unicodeScalars.allSatisfy { $0 == "\n" || printableOnOneLine($0) }, "\(result.stderr.debugDescription)")
        }
    }

    @Test("a missing required option is a usage error (64) that names the option")
    func usage() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let before = try DatabaseSnapshot.take(db)
            let result = try db.run(["delivery", "record", "eu-1m-rounds", "--on", "2024-01-05"])
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("--quantity"))
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test("values the parser lets through but the command cannot use are bad input (65), named, with nothing written")
    func emptyOrNegativeValues() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let before = try DatabaseSnapshot.take(db)
            for (arguments, mention) in [
                (BadInput.record("eu-1m-rounds", quantity: "5", on: "2024-01-05") + ["--by", ""], "invalid by: \"\""),
                (["fx", "list", "--limit=-1"], "invalid limit: \"-1\""),
                (["fx", "list", "--limit", "0"], "invalid limit: \"0\""),
                (["export", "--out", ""], "invalid out: \"\""),
            ] {
                let result = try db.run(arguments)
                #expect(result.status == 65, "\(arguments): \(result)")
                #expect(result.stderr.contains(mention), "\(arguments): \(result.stderr)")
            }
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test("a database URL libpq cannot read is bad input (65) in libpq's words, not 'unavailable' at its defaults")
    func unreadableDatabaseURL() throws {
        for (url, mention, secret) in [
            ("garbage", "missing \"=\" after \"garbage\"", nil),
            ("postgres://u:secret@127.0.0.1:1/db?bogus=1", "invalid URI query parameter: \"bogus\"", "secret"),
            // libpq quotes these back: the bad `%` token of the password, the whole URL.
            ("postgres://u:50%off@127.0.0.1:1/db", "invalid percent-encoded token: \"***\"", "50%off"),
            ("postgres://u:s3cr3t@[::1/db", "postgres://u:***@[::1/db", "s3cr3t"),
            ("host=127.0.0.1 password=hunter2 garbage", "missing \"=\" after \"garbage\"", "hunter2"),
        ] as [(String, String, String?)] {
            let result = try Pledgewatch.run(["pledge", "list"], environment: ["DATABASE_URL": url])
            #expect(result.status == 65, "\(url): \(result)")
            #expect(result.stderr.contains("cannot be read") && result.stderr.contains(mention), "\(result.stderr)")
            if let secret { #expect(!result.stderr.contains(secret), "\(result.stderr)") }
        }
        // serve refuses it at once instead of retrying it for ever.
        let serve = try Pledgewatch.run(["serve", "--listen", "127.0.0.1:0"], environment: ["DATABASE_URL": "garbage"])
        #expect(serve.status == 65, "\(serve)")
    }

    @Test("check's usage errors are 3 UNKNOWN, as Nagios plugins report them, not 64; its help is 0")
    func checkUsageIsUnknown() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            for arguments in [
                ["check", "--bogus"], ["check", "--stalled-after-days", "-5"], ["check", "extra"], ["check", "--likely-miss-below", "\u{1B}[31mX"],
            ] {
                let result = try db.run(arguments)
                #expect(result.status == 3, "\(arguments): \(result)")
                // One plugin line on stdout, where Nagios reads it; the parser's message on stderr.
                #expect(result.stdout.hasPrefix("PLEDGEWATCH UNKNOWN - usage: ") && result.stdout.filter { $0 == "\n" }.count == 1, "\(result.stdout)")
                #expect(result.stderr.contains("Usage: pledgewatch check"), "\(result.stderr)")
                // What was typed is quoted with its escape shown, not sent to the monitoring system's screen.
                #expect(!(result.stdout + result.stderr).unicodeScalars.contains("\u{1B}"), "\(result.stdout.debugDescription)")
            }
            #expect(try db.run(["check", "--likely-miss-below", "\u{1B}[31mX"]).stdout.contains("'\\u{1B}[31mX'"))
            #expect(try db.run(["check", "--help"]).status == 0)
            // Elsewhere a usage error stays 64.
            #expect(try db.run(["pledge", "list", "--bogus"]).status == 64)
        }
    }

    @Test("PLEDGEWATCH_LOG_LEVEL is read whatever its case")
    func logLevelCase() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let result = try db.run(
                ["import", "deliveries", "-"], stdin: "pledge,date,quantity\neu-1m-rounds,2024-01-05,5\n",
                environment: ["PLEDGEWATCH_LOG_LEVEL": "INFO"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stderr.contains("imported straight into the ledger"), "\(result.stderr)")
        }
    }

    @Test("the same idempotency key with the same values succeeds and adds nothing; with other values it is a conflict (67)")
    func idempotencyKey() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let delivery = BadInput.record("eu-1m-rounds", quantity: "5000", on: "2024-01-05") + [
                "--source", "MoD", "--idempotency-key", "mod-2024-01-05", "--json",
            ]
            let first = try decode(RecordedJSON.self, try db.succeed(delivery))
            #expect(first.created)
            let afterFirst = try DatabaseSnapshot.take(db)

            let retry = try decode(RecordedJSON.self, try db.succeed(delivery))
            #expect(!retry.created)
            #expect(retry.entry == first.entry)
            #expect(try DatabaseSnapshot.take(db) == afterFirst)

            let other = BadInput.record("eu-1m-rounds", quantity: "6000", on: "2024-01-05") + [
                "--source", "MoD", "--idempotency-key", "mod-2024-01-05",
            ]
            let conflict = try db.run(other)
            #expect(conflict.status == 67, "\(conflict)")
            #expect(conflict.stderr.contains("idempotency key"))
            #expect(conflict.stderr.contains("mod-2024-01-05"))
            #expect(conflict.stderr.contains("#\(first.entry)"))
            #expect(try DatabaseSnapshot.take(db) == afterFirst)
            #expect(try db.entries("eu-1m-rounds").filter { $0.kind == "delivery" }.map(\.quantity) == ["5000"])
        }
    }

    @Test("a withdrawn pledge can no longer be amended, delivered to, reported on or committed (67)")
    func withdrawnPledge() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            try db.succeed(["delivery", "record", "de-8bn-2024", "--quantity", "1000", "--on", "2024-02-01"])
            try db.succeed(["pledge", "withdraw", "de-8bn-2024", "--reason", "budget cut", "--by", "alice"])
            let before = try DatabaseSnapshot.take(db)
            let attempts: [[String]] = [
                ["pledge", "amend", "de-8bn-2024", "--target", "9000000000", "--reason", "raise"],
                BadInput.record("de-8bn-2024", quantity: "5", on: "2024-02-02"),
                BadInput.record("de-8bn-2024", quantity: "108.12", on: "2024-03-04") + ["--currency", "USD"],
                ["delivery", "report-total", "de-8bn-2024", "--total", "5000", "--as-of", "2024-03-01"],
                ["delivery", "void", "\(try db.entries("de-8bn-2024")[0].id)", "--reason", "late"],
                ["pledge", "commit", "de-8bn-2024"],
            ]
            for arguments in attempts {
                let result = try db.run(arguments)
                #expect(result.status == 67, "\(arguments): \(result)")
                #expect(result.stderr.contains("de-8bn-2024") || result.stderr.contains("entry #"), "\(result)")
                #expect(result.stderr.contains("withdrawn"), "\(result)")
            }
            #expect(try DatabaseSnapshot.take(db) == before)
            #expect(try db.show("de-8bn-2024").status == "withdrawn")
        }
    }
}

/// Whether a character prints as itself on one line of a terminal (not a control, a line break, a Unicode
/// separator or a bidirectional control).
func printableOnOneLine(_ scalar: Unicode.Scalar) -> Bool {
    !(scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) || [0x2028, 0x2029].contains(scalar.value)
        || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value))
}
