import Foundation
import Testing
import TestSupport

/// Runs `body` with the path of a file holding `bytes`, in a directory of its own that is removed afterwards.
func withFile<T>(_ bytes: Data, _ body: (String) throws -> T) throws -> T {
    try withScratchDirectory { directory in
        let file = directory.appendingPathComponent("deliveries.csv")
        try bytes.write(to: file)
        return try body(file.path)
    }
}

func withFile<T>(_ text: String, _ body: (String) throws -> T) throws -> T {
    try withFile(Data(text.utf8), body)
}

@Suite("pledgewatch import deliveries: every row lands or none does, and importing again adds nothing")
struct ImportTests {
    @Test("importing the same file twice adds its rows once; identical rows count separately, and keys are honoured")
    func importTwice() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let csv = """
                pledge,date,quantity,currency,contributor,source,note,idempotency_key
                eu-1m-rounds,2023-12-15,20000,,Germany,"BMVg, press release","a ""quoted"" note",
                eu-1m-rounds,2023-12-15,20000,,Germany,"BMVg, press release","a ""quoted"" note",
                de-8bn-2024,2024-03-04,108.12,USD,,ECB-converted,,usd-1
                eu-rdc-5000-troops,2024-01-31,1_500,,,,"two
                lines",

                """
            struct Summary: Decodable, Equatable { let rows, added, alreadyPresent: Int }
            try withFile(csv) { path in
                let first = try decode(Summary.self, try db.succeed(["import", "deliveries", path, "--json", "--by", "importer"]))
                #expect(first == Summary(rows: 4, added: 4, alreadyPresent: 0))
                let afterFirst = try DatabaseSnapshot.take(db)

                let second = try decode(Summary.self, try db.succeed(["import", "deliveries", path, "--json"]))
                #expect(second == Summary(rows: 4, added: 0, alreadyPresent: 4))
                #expect(try DatabaseSnapshot.take(db) == afterFirst)
            }

            let rounds = try db.entries("eu-1m-rounds").filter { $0.kind == "delivery" }
            #expect(rounds.map(\.quantity) == ["20000", "20000"])
            #expect(rounds.allSatisfy { $0.contributor == "Germany" && $0.source == "BMVg, press release" })
            #expect(rounds.allSatisfy { $0.note == "a \"quoted\" note" && $0.recordedBy == "importer" })
            let euros = try #require(try db.entries("de-8bn-2024").first)
            #expect((euros.quantity, euros.originalQuantity, euros.fxRate) == ("100", "108.12", "1.0812"))
            #expect(euros.idempotencyKey == "usd-1")
            let troops = try #require(try db.entries("eu-rdc-5000-troops").first)
            #expect(troops.quantity == "1500")
            #expect(troops.note == "two\nlines")
            #expect(try db.show("eu-1m-rounds").delivered == "340000")
        }
    }

    @Test("the same delivery written two ways (1000000 and \"1,000,000\") on one day counts as two rows, and once each on re-import")
    func sameAmountWrittenTwoWays() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let csv = """
                pledge,date,quantity,contributor
                eu-1m-rounds,2023-12-15,1000,Germany
                eu-1m-rounds,2023-12-15,"1,000",Germany
                eu-1m-rounds,2023-12-15,"1,000",Germany

                """
            let outputs = try withFile(csv) { path throws -> [String] in
                [try db.succeed(["import", "deliveries", path]).stdout, try db.succeed(["import", "deliveries", path]).stdout]
            }
            #expect(outputs == ["3 rows: 3 added, 0 already present\n", "3 rows: 0 added, 3 already present\n"])
            #expect(try db.entries("eu-1m-rounds").filter { $0.kind == "delivery" }.count == 3)
            #expect(try db.show("eu-1m-rounds").delivered == "303000")
        }
    }

    @Test("imported deliveries dated before a later reported total are part of it; more than it adds is refused, nothing written")
    func importBeforeReport() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            try db.succeed(["delivery", "report-total", "eu-1m-rounds", "--total", "480000", "--as-of", "2024-01-31"])
            let early = "pledge,date,quantity\neu-1m-rounds,2023-12-01,20000\neu-1m-rounds,2023-12-15,30000\neu-1m-rounds,2024-02-05,5000\n"
            let imported = try withFile(early) { path in try db.succeed(["import", "deliveries", path]).stdout }
            #expect(imported == "3 rows: 3 added, 0 already present\n")
            #expect(try db.show("eu-1m-rounds", asOf: "2023-12-31").delivered == "350000")
            #expect(try db.show("eu-1m-rounds", asOf: "2024-01-31").delivered == "480000")
            #expect(try db.show("eu-1m-rounds").delivered == "485000")

            let before = try DatabaseSnapshot.take(db)
            let tooMuch = "pledge,date,quantity\neu-1m-rounds,2024-01-10,130001\n"
            let result = try withFile(tooMuch) { path in try db.run(["import", "deliveries", path]) }
            #expect(result.status == 67, "\(result)")
            #expect(result.stderr.contains("130001") && result.stderr.contains("130000"), "\(result.stderr)")
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test("a clean file goes straight into the ledger; imported again it goes through staging and adds nothing")
    func straightIntoTheLedger() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let csv = """
                pledge,date,quantity,source,note,idempotency_key
                eu-1m-rounds,2023-12-15,20000,"BMVg, press release",,
                eu-1m-rounds,2023-12-15,020000,"BMVg, press release",,
                de-8bn-2024,2024-03-04,"1,000,000.50",,"é€🇺🇦, tab	and \\N",
                eu-rdc-5000-troops,2024-01-31,1_500,,"two
                lines",troops-1

                """
            let info = ["PLEDGEWATCH_LOG_LEVEL": "info"]
            try withFile(csv) { path in
                let first = try db.succeed(["import", "deliveries", path], environment: info)
                #expect(first.stdout == "4 rows: 4 added, 0 already present\n")
                #expect(first.stderr.contains("imported straight into the ledger"), "\(first.stderr)")
                let afterFirst = try DatabaseSnapshot.take(db)
                // The content keys computed on the client are the ones the staging path computes in SQL.
                let second = try db.succeed(["import", "deliveries", path], environment: info)
                #expect(second.stdout == "4 rows: 0 added, 4 already present\n")
                #expect(second.stderr.contains("importing through staging"), "\(second.stderr)")
                #expect(try DatabaseSnapshot.take(db) == afterFirst)
            }
            let rounds = try db.entries("eu-1m-rounds").filter { $0.kind == "delivery" }
            #expect(rounds.map(\.quantity) == ["20000", "20000"])
            let euros = try #require(try db.entries("de-8bn-2024").first)
            #expect((euros.quantity, euros.note) == ("1000000.5", "é€🇺🇦, tab\tand \\N"))
            let troops = try #require(try db.entries("eu-rdc-5000-troops").first)
            #expect((troops.quantity, troops.note, troops.idempotencyKey) == ("1500", "two\nlines", "troops-1"))
        }
    }

    @Test("a keyed row and a keyless row with the same content: the direct and the staged way derive the same key, so a re-import adds nothing")
    func keyedAndKeylessSameContent() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let csv = """
                pledge,date,quantity,source,idempotency_key
                eu-1m-rounds,2023-12-10,1000,shipment,k-1
                eu-1m-rounds,2023-12-10,1000,shipment,

                """
            try withFile(csv) { path in
                #expect(try db.succeed(["import", "deliveries", path]).stdout == "2 rows: 2 added, 0 already present\n")
                let afterFirst = try DatabaseSnapshot.take(db)
                // Again (through staging, since k-1 is taken), and once more.
                for _ in 0..<2 {
                    #expect(try db.succeed(["import", "deliveries", path]).stdout == "2 rows: 0 added, 2 already present\n")
                    #expect(try DatabaseSnapshot.take(db) == afterFirst)
                }
            }
            #expect(try db.entries("eu-1m-rounds").filter { $0.kind == "delivery" }.map(\.quantity) == ["1000", "1000"])
        }
    }

    @Test("an amount in another currency that converts to 0 is bad input naming the quantity (and its line), not a database refusal")
    func convertsToNothing() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            try db.succeed(["fx", "set", "EUR", "JPY", "160", "--on", "2024-03-04"])
            let before = try DatabaseSnapshot.take(db)
            let record = try db.run(["delivery", "record", "de-8bn-2024", "--quantity", "0.5", "--currency", "JPY", "--on", "2024-03-04"])
            #expect(record.status == 65, "\(record)")
            #expect(record.stderr.contains("quantity") && record.stderr.contains("converts to 0 EUR"), "\(record.stderr)")
            #expect(!record.stderr.contains("refused by the database"), "\(record.stderr)")
            let csv = "pledge,date,quantity,currency\nde-8bn-2024,2024-03-04,100,EUR\nde-8bn-2024,2024-03-04,0.5,JPY\n"
            try withFile(csv) { path in
                let result = try db.run(["import", "deliveries", path])
                #expect(result.status == 65, "\(result)")
                #expect(result.stderr.contains("line 3") && result.stderr.contains("converts to 0 EUR"), "\(result.stderr)")
            }
            #expect(try DatabaseSnapshot.take(db) == before)
            // 0.80 JPY is 0.005 EUR, which rounds half away from zero to a cent: accepted.
            #expect(try db.run(["delivery", "record", "de-8bn-2024", "--quantity", "0.80", "--currency", "JPY", "--on", "2024-03-04"]).status == 0)
        }
    }

    @Test("a file that extends one already imported adds only its new rows")
    func extendedFile() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let earlier = "pledge,date,quantity\neu-1m-rounds,2023-12-01,20000\neu-1m-rounds,2023-12-15,30000\n"
            let later = earlier + "eu-1m-rounds,2024-01-05,5000\neu-1m-rounds,2023-12-01,20000\n"
            #expect(try withFile(earlier) { try db.succeed(["import", "deliveries", $0]).stdout } == "2 rows: 2 added, 0 already present\n")
            #expect(try withFile(later) { try db.succeed(["import", "deliveries", $0]).stdout } == "4 rows: 2 added, 2 already present\n")
            #expect(try db.show("eu-1m-rounds").delivered == "375000")
        }
    }

    @Test("a file from standard input is imported the same way")
    func standardInput() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let csv = "pledge,date,quantity,contributor\r\neu-1m-rounds,2023-12-15,20000,Germany\r\n"
            #expect(try db.succeed(["import", "deliveries", "-"], stdin: csv).stdout == "1 row: 1 added, 0 already present\n")
            #expect(try db.succeed(["import", "deliveries", "-"], stdin: csv).stdout == "1 row: 0 added, 1 already present\n")
            #expect(try db.show("eu-1m-rounds").delivered == "320000")
            // Without a contributor the rows go straight into the ledger, read again from the kept input.
            let clean = "pledge,date,quantity\neu-1m-rounds,2023-12-16,1000\n"
            let info = ["PLEDGEWATCH_LOG_LEVEL": "info"]
            let first = try db.succeed(["import", "deliveries", "-"], stdin: clean, environment: info)
            #expect(first.stdout == "1 row: 1 added, 0 already present\n")
            #expect(first.stderr.contains("imported straight into the ledger"), "\(first.stderr)")
            #expect(try db.succeed(["import", "deliveries", "-"], stdin: clean).stdout == "1 row: 0 added, 1 already present\n")
            #expect(try db.show("eu-1m-rounds").delivered == "321000")
        }
    }

    @Test(
        "an input that can be read only once (standard input, /dev/stdin) is imported whole, past the first 64 KiB, and leaves no temporary file",
        arguments: ["-", "/dev/stdin"])
    func readOnceInput(path: String) throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            // 3,000 rows, about 110 kB: more than one 64 KiB read. A file named again after its header was
            // read (as /dev/stdin once was) would lose the first chunk.
            let rows = (0..<3_000).map { "eu-1m-rounds,2024-\(String(format: "%02d", 1 + $0 % 8))-\(String(format: "%02d", 1 + $0 % 28)),\($0 + 1),,batch \($0)" }
            let csv = "pledge,date,quantity,contributor,note\n" + rows.joined(separator: "\n") + "\n"
            #expect(csv.utf8.count > 100_000)
            try withScratchDirectory { temporary in
                let result = try db.succeed(["import", "deliveries", path], stdin: csv, environment: ["TMPDIR": temporary.path])
                #expect(result.stdout == "3000 rows: 3000 added, 0 already present\n")
                // The temporary copy is unlinked as soon as it is made.
                #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
            }
            #expect(try db.show("eu-1m-rounds").delivered == "\(300_000 + 3_000 * 3_001 / 2)")
            // Without a writable temporary directory: a clear error (73) and nothing written.
            let before = try DatabaseSnapshot.take(db)
            let refused = try db.run(["import", "deliveries", path], stdin: csv, environment: ["TMPDIR": "/nonexistent-pledgewatch-tmp"])
            #expect(refused.status == 73, "\(refused)")
            #expect(refused.stderr.contains("in a temporary file in /nonexistent-pledgewatch-tmp"), "\(refused.stderr)")
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test(
        "a malformed file is refused as a whole (65), the message says what is wrong, and nothing is written",
        arguments: BadCSV.cases)
    func refused(_ csv: BadCSV) throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            let before = try DatabaseSnapshot.take(db)
            let result = try withFile(csv.bytes) { path in try db.run(["import", "deliveries", path]) }
            #expect(result.status == 65, "\(result)")
            for mention in csv.mentions {
                #expect(result.stderr.contains(mention), "stderr should mention \(mention): \(result.stderr)")
            }
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test("a missing file is not found (66), named in the message")
    func missingFile() throws {
        try ScratchDatabase.with { db in
            let result = try db.run(["import", "deliveries", "/nonexistent/deliveries.csv"])
            #expect(result.status == 66, "\(result)")
            #expect(result.stderr.contains("/nonexistent/deliveries.csv"))
            // A directory is bad input, named, not an unexpected failure.
            let directory = FileManager.default.temporaryDirectory.path
            let folder = try db.run(["import", "deliveries", directory])
            #expect(folder.status == 65, "\(folder)")
            #expect(folder.stderr.contains("not a directory") && folder.stderr.contains(directory), "\(folder.stderr)")
        }
    }

    @Test("one bad row among 10,000 good ones: nothing is imported and the message gives that row's line")
    func oneBadRowInTenThousand() throws {
        try ScratchDatabase.with { db in
            try db.seedWithOneRate()
            var csv = "pledge,date,quantity,source,idempotency_key\n"
            let badRow = 6_789
            for row in 1...10_000 {
                let quantity = row == badRow ? "12O" : "\(row)"  // a letter O where a zero belongs
                csv += "eu-rdc-5000-troops,2024-02-15,\(quantity),batch \(row),batch-\(row)\n"
            }
            let before = try DatabaseSnapshot.take(db)
            let result = try withFile(csv) { path in try db.run(["import", "deliveries", path]) }
            #expect(result.status == 65, "\(result)")
            // The header is line 1, so row n is on line n + 1.
            #expect(result.stderr.contains("1 bad row, nothing imported"), "\(result.stderr)")
            #expect(result.stderr.contains("line \(badRow + 1): quantity: '12O'"), "\(result.stderr)")
            #expect(try DatabaseSnapshot.take(db) == before)

            // Fixed, the same file lands whole, once.
            let fixed = try withFile(csv.replacingOccurrences(of: ",12O,", with: ",\(badRow),")) { path in
                try db.succeed(["import", "deliveries", path])
            }
            #expect(fixed.stdout == "10000 rows: 10000 added, 0 already present\n")
            #expect(try db.show("eu-rdc-5000-troops").delivered == "\(10_000 * 10_001 / 2)")
            // 10,000 rows added: the ledger was vacuumed after the commit (only VACUUM marks pages all-visible),
            // so timelines read the covering index alone.
            let connection = try db.connect()
            let allVisible = try connection.query("SELECT relallvisible FROM pg_class WHERE oid = 'delivery'::regclass").scalar(Int.self)
            #expect(allVisible > 0)
            // And analysed: the planner knows the pledges and dates the ledger's queries select on.
            let analysed = try connection.query(
                "SELECT array_agg(attname::text ORDER BY attname) FROM pg_stats WHERE tablename = 'delivery' AND attname IN ('pledge_id', 'delivered_on', 'kind')"
            ).scalar(String.self)
            #expect(analysed == "{delivered_on,kind,pledge_id}")
        }
    }
}

/// A file `import deliveries` must refuse, and what its message must mention.
struct BadCSV: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: Data
    let mentions: [String]
    var testDescription: String { name }

    init(_ name: String, _ text: String, mentions: [String]) {
        self.init(name, Data(text.utf8), mentions: mentions)
    }

    init(_ name: String, _ bytes: Data, mentions: [String]) {
        self.name = name
        self.bytes = bytes
        self.mentions = mentions
    }

    static let cases: [BadCSV] = [
        BadCSV(
            "a header without the quantity column", "pledge,date\neu-1m-rounds,2023-12-15\n",
            mentions: ["header", "missing: quantity"]),
        BadCSV(
            "a header with an unknown extra column", "pledge,date,quantity,colour\neu-1m-rounds,2023-12-15,5,red\n",
            mentions: ["header", "colour"]),
        BadCSV(
            "a row with more fields than the header", "pledge,date,quantity\neu-1m-rounds,2023-12-15,5\neu-1m-rounds,2023-12-16,5,extra\n",
            mentions: ["line 3", "expected 3 fields", "found 4"]),
        BadCSV(
            "a row with fewer fields than the header", "pledge,date,quantity,source\neu-1m-rounds,2023-12-15,5\n",
            mentions: ["line 2", "expected 4 fields", "found 3"]),
        BadCSV(
            "a row that is not valid UTF-8",
            Data("pledge,date,quantity,note\neu-1m-rounds,2023-12-15,5,ok\neu-1m-rounds,2023-12-16,5,caf".utf8) + Data([0xE9, 0x0A]),
            mentions: ["line 3", "UTF-8"]),
        BadCSV(
            "a NUL character in a note", "pledge,date,quantity,note\neu-1m-rounds,2023-12-15,5,ok\neu-1m-rounds,2023-12-16,5,a\u{0}b\n",
            mentions: ["line 3: note", "NUL"]),
        BadCSV(
            "an escape sequence in a source",
            "pledge,date,quantity,source\neu-1m-rounds,2023-12-15,5,ok\neu-1m-rounds,2023-12-16,5,a\u{1B}[2Jb\n",
            mentions: ["line 3: source", "control character, U+001B, at character 2"]),
        BadCSV(
            "a header that is not valid UTF-8", Data([0x70, 0xFF, 0x2C]) + Data("date,quantity\n".utf8),
            mentions: ["header", "UTF-8"]),
        BadCSV("an empty file", "", mentions: ["file", "empty"]),
        BadCSV("a file of blank lines", "\n\n\n", mentions: ["file", "empty"]),
        BadCSV(
            "a quoted field that is never closed", "pledge,date,quantity,note\neu-1m-rounds,2023-12-15,5,\"open\n",
            mentions: ["line 2", "never closed"]),
        BadCSV(
            "several bad rows, each listed by line",
            """
            pledge,date,quantity,currency
            no-such-pledge,2023-12-15,5,
            eu-1m-rounds,2023-02-30,5,
            eu-1m-rounds,2023-12-15,1.5,
            de-8bn-2024,2024-03-01,108.12,USD
            eu-1m-rounds,2023-12-15,5,
            eu-1m-rounds,2099-01-01,5,

            """,
            mentions: [
                "5 bad rows", "line 2: pledge", "no-such-pledge", "line 3: date", "2023-02-30", "line 4: quantity", "1.5",
                "line 5: currency", "USD", "line 7: date", "2099-01-01",
            ]),
    ]
}
