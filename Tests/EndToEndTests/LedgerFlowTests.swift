import Foundation
import Testing
import TestSupport

@Suite("an administrator's day: pledges, terms, deliveries, reports, voids, corrections and FX")
struct LedgerFlowTests {
    static let addGermany = [
        "pledge", "add", "de-8bn-2024", "--donor", "Germany", "--recipient", "Ukraine",
        "--title", "At least €8 billion of military aid in 2024", "--category", "military", "--unit", "EUR",
        "--target", "8000000000", "--announced", "2023-11-14", "--counts-from", "2024-01-01", "--deadline", "2024-12-31",
        "--status", "committed", "--source", "Article of 2023-11-14", "--by", "alice",
    ]

    @Test("pledge add, then show --json and list --json give back exactly what was typed")
    func addShowList() throws {
        try ScratchDatabase.with { db in
            #expect(try db.succeed(Self.addGermany).stdout == "added de-8bn-2024\n")
            let pledge = try db.show("de-8bn-2024")
            #expect(pledge.id == "de-8bn-2024")
            #expect(pledge.donor == "Germany")
            #expect(pledge.recipient == "Ukraine")
            #expect(pledge.title == "At least €8 billion of military aid in 2024")
            #expect(pledge.category == "military")
            #expect(pledge.unit == "EUR")
            #expect(pledge.status == "committed")
            #expect(pledge.announced == "2023-11-14")
            #expect(pledge.countsFrom == "2024-01-01")
            #expect(pledge.source == "Article of 2023-11-14")
            #expect(pledge.original == PledgeJSON.Terms(
                revision: 1, target: "8000000000", deadline: "2024-12-31", effectiveOn: "2023-11-14", reason: "as announced",
                recordedBy: "alice"))
            #expect(pledge.current == pledge.original)
            #expect(pledge.delivered == "0")
            let listed = try db.list()
            #expect(listed.map(\.id) == ["de-8bn-2024"])
            #expect(listed.first?.original == pledge.original)
        }
    }

    @Test("amending keeps the original terms: show --json has both, and --as-of before the amendment shows the original")
    func amendKeepsOriginal() throws {
        try ScratchDatabase.with { db in
            try db.succeed(["seed"])
            let output = try db.succeed([
                "pledge", "amend", "eu-1m-rounds", "--deadline", "2024-12-31", "--effective", "2024-01-31",
                "--reason", "EU conceded the March deadline would be missed", "--by", "bob",
            ])
            #expect(output.stdout.contains("revision 2"))
            let pledge = try db.show("eu-1m-rounds")
            #expect(pledge.original.deadline == "2024-03-31")
            #expect(pledge.original.revision == 1)
            #expect(pledge.current.deadline == "2024-12-31")
            #expect(pledge.current.target == "1000000")
            #expect(pledge.current.effectiveOn == "2024-01-31")
            #expect(pledge.current.reason == "EU conceded the March deadline would be missed")
            #expect(pledge.current.recordedBy == "bob")
            #expect(pledge.revisions.map(\.revision) == [1, 2])

            try db.succeed(["pledge", "amend", "eu-1m-rounds", "--target", "1100000", "--effective", "2024-02-15", "--reason", "raised"])
            let twice = try db.show("eu-1m-rounds")
            #expect(twice.original.target == "1000000")
            #expect(twice.original.deadline == "2024-03-31")
            #expect((twice.current.target, twice.current.deadline) == ("1100000", "2024-12-31"))

            #expect(try db.show("eu-1m-rounds", asOf: "2024-01-30").current.deadline == "2024-03-31")
            #expect(try db.show("eu-1m-rounds", asOf: "2024-02-01").current.target == "1000000")
            let listed = try #require(try db.list(asOf: "2024-01-30").first { $0.id == "eu-1m-rounds" })
            #expect(listed.current == listed.original)
        }
    }

    @Test("--as-of on pledge list and delivery list shows the ledger as it stood on that day")
    func asOf() throws {
        try ScratchDatabase.with { db in
            try db.succeed(["seed"])
            for (quantity, date) in [("20000", "2023-12-15"), ("30000", "2024-01-20"), ("40000", "2024-02-20")] {
                try db.succeed(["delivery", "record", "eu-1m-rounds", "--quantity", quantity, "--on", date])
            }
            #expect(try db.entries("eu-1m-rounds", asOf: "2023-11-13").isEmpty)
            #expect(try db.entries("eu-1m-rounds", asOf: "2023-11-14").map(\.quantity) == ["300000"])
            #expect(try db.entries("eu-1m-rounds", asOf: "2024-01-20").map(\.quantity) == ["300000", "20000", "30000"])
            #expect(try db.entries("eu-1m-rounds").map(\.date) == ["2023-11-14", "2023-12-15", "2024-01-20", "2024-02-20"])

            func delivered(asOf date: String?) throws -> String? {
                try db.list(asOf: date).first { $0.id == "eu-1m-rounds" }?.delivered
            }
            #expect(try delivered(asOf: "2023-11-13") == "0")
            #expect(try delivered(asOf: "2024-01-19") == "320000")
            #expect(try delivered(asOf: "2024-01-20") == "350000")
            #expect(try delivered(asOf: nil) == "390000")
            #expect(try db.show("eu-1m-rounds", asOf: "2023-12-31").delivered == "320000")
        }
    }

    @Test("a reported total is stored as its increment over the previous total, and the same report again adds nothing")
    func reportTotal() throws {
        try ScratchDatabase.with { db in
            try db.succeed(["seed"])
            try db.succeed(["delivery", "record", "eu-1m-rounds", "--quantity", "25000", "--on", "2023-12-10"])
            let report = ["delivery", "report-total", "eu-1m-rounds", "--total", "480,000", "--as-of", "2024-01-31",
                          "--source", "EU, 2024-01-31", "--json"]
            let recorded = try decode(RecordedJSON.self, try db.succeed(report))
            #expect(recorded.created)
            #expect(recorded.quantity == "155000")
            let entry = try #require(try db.entries("eu-1m-rounds").first { $0.id == recorded.entry })
            #expect(entry.kind == "report")
            #expect(entry.quantity == "155000")
            #expect(entry.reportedTotal == "480000")
            #expect(entry.source == "EU, 2024-01-31")
            #expect(try db.show("eu-1m-rounds").delivered == "480000")

            let before = try DatabaseSnapshot.take(db)
            let again = try decode(RecordedJSON.self, try db.succeed(report))
            #expect(!again.created)
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test("void and correct append entries that point at the original, which stays visible; the totals follow")
    func voidAndCorrect() throws {
        try ScratchDatabase.with { db in
            try db.succeed(["seed"])
            let record = { (quantity: String, date: String) throws -> Int in
                try decode(RecordedJSON.self, try db.succeed(
                    ["delivery", "record", "eu-1m-rounds", "--quantity", quantity, "--on", date, "--json"])).entry
            }
            let doubled = try record("5000", "2023-12-01")
            let misread = try record("2000", "2023-12-02")

            #expect(try db.succeed(["delivery", "void", "\(doubled)", "--reason", "same shipment as the report", "--by", "carol"])
                .stdout.hasPrefix("voided #\(doubled) with #"))
            try db.succeed(["delivery", "correct", "\(misread)", "--quantity", "1500", "--reason", "typo in the source", "--by", "dave"])

            let entries = try db.entries("eu-1m-rounds")
            #expect(entries.count == 5)
            let original = try #require(entries.first { $0.id == doubled })
            let void = try #require(entries.first { $0.kind == "void" })
            #expect(original.quantity == "5000")
            #expect(original.voidedBy == void.id)
            #expect(void.corrects == doubled)
            #expect(void.quantity == "-5000")
            #expect(void.reason == "same shipment as the report")
            #expect(void.recordedBy == "carol")
            let corrected = try #require(entries.first { $0.id == misread })
            let correction = try #require(entries.first { $0.kind == "correction" })
            #expect(corrected.quantity == "2000")
            #expect(correction.corrects == misread)
            #expect(correction.quantity == "-500")
            #expect(correction.recordedBy == "dave")
            #expect(try db.show("eu-1m-rounds").delivered == "301500")

            let again = try db.run(["delivery", "void", "\(doubled)", "--reason", "twice"])
            #expect(again.status == 67, "\(again)")
            #expect(again.stderr.contains("#\(doubled)"))
        }
    }

    @Test("108.12 USD on a day with EUR/USD 1.0812 is exactly 100 EUR, and the original amount and rate are kept")
    func fxConversion() throws {
        try ScratchDatabase.with { db in
            try db.succeed(Self.addGermany)
            #expect(try db.succeed(["fx", "set", "EUR", "USD", "1.0812", "--on", "2024-03-01", "--source", "ECB"]).stdout
                == "1 EUR = 1.0812 USD on 2024-03-01\n")
            let recorded = try decode(RecordedJSON.self, try db.succeed([
                "delivery", "record", "de-8bn-2024", "--quantity", "108.12", "--currency", "USD", "--on", "2024-03-01", "--json",
            ]))
            #expect(recorded.quantity == "100")
            let entry = try #require(try db.entries("de-8bn-2024").first)
            #expect(entry.quantity == "100")
            #expect(entry.originalQuantity == "108.12")
            #expect(entry.originalCurrency == "USD")
            #expect(entry.fxRate == "1.0812")
            #expect(try db.show("de-8bn-2024").delivered == "100")
            let stored = try db.connect().query("SELECT quantity::text FROM delivery").scalar(String.self)
            #expect(Decimal(string: stored) == 100)
        }
    }

    @Test("fx import reads the ECB layout (EUR base, N/A skipped, trailing comma) and the rates convert deliveries")
    func fxImport() throws {
        try ScratchDatabase.with { db in
            try db.succeed(Self.addGermany)
            let csv = """
                Date,USD,JPY,GBP,RUB,
                2024-03-04,1.0850,162.50,0.8562,N/A,
                2024-03-01,1.0812,162.85,0.8556,N/A,

                """
            #expect(try db.succeed(["fx", "import", "-"], stdin: csv).stdout == "stored 6 rates\n")
            struct Rate: Decodable, Equatable { let base, quote, date, rate: String }
            let rates = try decode([Rate].self, try db.succeed(["fx", "list", "--json"]))
            #expect(rates == [
                Rate(base: "EUR", quote: "GBP", date: "2024-03-04", rate: "0.8562"),
                Rate(base: "EUR", quote: "JPY", date: "2024-03-04", rate: "162.5"),
                Rate(base: "EUR", quote: "USD", date: "2024-03-04", rate: "1.085"),
                Rate(base: "EUR", quote: "GBP", date: "2024-03-01", rate: "0.8556"),
                Rate(base: "EUR", quote: "JPY", date: "2024-03-01", rate: "162.85"),
                Rate(base: "EUR", quote: "USD", date: "2024-03-01", rate: "1.0812"),
            ])
            let yen = try decode(RecordedJSON.self, try db.succeed([
                "delivery", "record", "de-8bn-2024", "--quantity", "16250", "--currency", "JPY", "--on", "2024-03-04", "--json",
            ]))
            #expect(yen.quantity == "100")
            // Importing the same file again replaces each rate by itself.
            let before = try db.count(.init("fx_rate"))
            try db.succeed(["fx", "import", "-"], stdin: csv)
            #expect(try db.count(.init("fx_rate")) == before)
        }
    }

    @Test("an ECB file with a day twice, or a currency twice, is bad input (65) naming the line or column; nothing stored")
    func fxImportRepeats() throws {
        try ScratchDatabase.with { db in
            try db.succeed(Self.addGermany)
            let before = try DatabaseSnapshot.take(db)
            let days = try db.run(["fx", "import", "-"], stdin: "Date,USD,\n2024-03-01,1.08,\n2024-03-04,1.09,\n2024-03-01,1.07,\n")
            #expect(days.status == 65, "\(days)")
            #expect(days.stderr.contains("line 4") && days.stderr.contains("2024-03-01 has rates on line 2 already"), "\(days.stderr)")
            let columns = try db.run(["fx", "import", "-"], stdin: "Date,USD,USD,\n2024-03-01,1.08,1.09,\n")
            #expect(columns.status == 65, "\(columns)")
            #expect(columns.stderr.contains("currency column") && columns.stderr.contains("USD"), "\(columns.stderr)")
            #expect(try DatabaseSnapshot.take(db) == before)
        }
    }

    @Test("--by is recorded on every kind of write, and without it the operating-system user is")
    func actor() throws {
        try ScratchDatabase.with { db in
            try db.succeed(["seed", "--by", "seeder"])
            try db.succeed(["pledge", "amend", "eu-1m-rounds", "--target", "900000", "--effective", "2024-01-01", "--reason", "cut", "--by", "erin"])
            let report = try decode(RecordedJSON.self, try db.succeed(
                ["delivery", "report-total", "eu-1m-rounds", "--total", "350000", "--as-of", "2024-01-10", "--by", "frank", "--json"]))
            let delivery = try decode(RecordedJSON.self, try db.succeed(
                ["delivery", "record", "eu-1m-rounds", "--quantity", "10", "--on", "2024-01-11", "--json"],
                environment: ["USER": "cron-job", "LOGNAME": "cron-job"]))
            try db.succeed(["delivery", "void", "\(delivery.entry)", "--reason", "dup", "--by", "grace"])
            try db.succeed(["pledge", "withdraw", "eu-20bn-military-aid", "--reason", "no unanimity", "--by", "heidi"])

            let pledge = try db.show("eu-1m-rounds")
            #expect(pledge.original.recordedBy == "seeder")
            #expect(pledge.current.recordedBy == "erin")
            let byEntry = Dictionary(uniqueKeysWithValues: try db.entries("eu-1m-rounds").map { ($0.id, $0) })
            #expect(byEntry[report.entry]?.recordedBy == "frank")
            #expect(byEntry[delivery.entry]?.recordedBy == "cron-job")
            #expect(byEntry[delivery.entry]?.voidedBy.flatMap { byEntry[$0]?.recordedBy } == "grace")
            let changedBy = try db.connect().query(
                "SELECT changed_by FROM pledge_status_change WHERE to_status = 'withdrawn'").scalar(String.self)
            #expect(changedBy == "heidi")
        }
    }
}
