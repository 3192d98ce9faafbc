import Foundation
import PledgeCore
@testable import PledgeStore
import Postgres
import PropertyBased
import Testing
import TestSupport

/// For each staging column (`DeliveryCSV.columns`), values every pledge takes, and values on or across an
/// edge the checks draw. A candidate row has good values but for at most one column, so both outcomes
/// come up often.
private let good: [[String?]] = [
    ["eu-1m-rounds", "de-8bn-2024"],
    ["2024-06-01", "2026-11-25"],
    ["5", "300000", "0012"],
    [nil],
    [nil],
    [nil, "BMVg, press release", "é€🇺🇦 \t\\N"],
    [nil, "a \"quoted\" note", "two\nlines"],
    [nil, "key"],
]
private let edges: [[String?]] = [
    ["withdrawn-pledge", "no-such-pledge", nil],
    ["2023-03-19", "2023-03-20", "2023-12-31", "2024-01-01", "2026-11-26", nil],
    ["0", "000.00", "5.0", "0012.500", "1.5", "1.25", "1.255", "1.20", nil],
    ["EUR", "rounds", "USD", "eur"],
    ["Germany"],
    [String(repeating: "s", count: 2000), String(repeating: "s", count: 2001)],
    [String(repeating: "n", count: 2000), String(repeating: "n", count: 2001)],
    [String(repeating: "k", count: 200), String(repeating: "k", count: 201)],
]
private let candidate = Gen.int(in: 0...10_000).array(of: 9...9).map { picks in
    let edgy = picks[8] % (good.count + 2)  // a column, or (for the last two) none
    return (0..<good.count).map { column in
        let options = column == edgy ? edges[column] : good[column]
        return options[picks[column] % options.count]
    }
}

@Suite("importing straight into the ledger")
struct DirectImportTests {
    static let today = CalendarDate(iso: "2026-11-25")!

    func seeded(_ connection: Connection) throws {
        for (id, unit, announced, countsFrom) in [
            ("eu-1m-rounds", "rounds", "2023-03-20", nil), ("de-8bn-2024", "EUR", "2023-11-14", "2024-01-01"),
            ("withdrawn-pledge", "rounds", "2023-03-20", nil),
        ] {
            let pledge = try NewPledge(
                publicID: id, donor: "European Union", recipient: "Ukraine", title: id, category: "military", unit: unit,
                target: "1000000", announced: announced, countsFrom: countsFrom, deadline: "2026-12-31", status: "committed",
                source: "", notes: "")
            try PledgeRepository(connection).add(pledge, by: "test")
        }
        try connection.execute("UPDATE pledge SET status = 'withdrawn' WHERE public_id = 'withdrawn-pledge'")
        try connection.execute("INSERT INTO fx_rate (base, quote, rate_on, rate) VALUES ('EUR', 'USD', '2024-01-01', 1.1)")
    }

    @Test("a row the client accepts, the database's own checks accept too, and it becomes the same ledger entry")
    func acceptsOnlyWhatTheDatabaseAccepts() async throws {
        try await ScratchDatabase.with { database in
            let connection = try database.connect()
            try seeded(connection)
            let pledges = try connection.withTransaction { tx in try DeliveryImport(tx).pledges(tx) }
            var accepted = 0, declined = 0, serial = 0
            await propertyCheck(count: 400, input: candidate) { values in
                serial += 1
                // A key names one entry: each explicit key is used once here, so a row is never refused for
                // a key an earlier row took.
                let values = values.enumerated().map { index, value in index == 7 && value?.hasPrefix("k") == true ? "\(value!)-\(serial)" : value }
                var rows = DirectImportRows(pledges: pledges, today: Self.today, actor: "test")
                guard let row = rows.ledgerRow(values) else {
                    declined += 1
                    return
                }
                accepted += 1
                do {
                    _ = try DeliveryImport(connection).staged(by: "test", today: Self.today) { emit in
                        try emit(2, values)
                        return []
                    }
                    let stored = try connection.query(
                        """
                        SELECT pledge_id::text, kind, delivered_on::text, trim_scale(quantity)::text, source, note, recorded_by,
                               idempotency_key, payload_hash
                        FROM delivery WHERE idempotency_key = \(row[7]!)
                        """
                    ).map { try $0.decode((String, String, String, String, String, String, String, String, String).self) }
                    #expect(stored.count == 1)
                    if let entry = stored.first {
                        let fields = [entry.0, entry.1, entry.2, entry.3, entry.4, entry.5, entry.6, entry.7, entry.8]
                        // The quantity as a number (`0012` is 12; an earlier `5.0` is the entry of a later `5`:
                        // the same content, the same key).
                        var expected = row.map { $0! }
                        expected[3] = try connection.query("SELECT trim_scale(\(expected[3])::numeric)::text").scalar(String.self)
                        #expect(fields == expected, "values: \(values)")
                    }
                } catch {
                    Issue.record("the client accepted \(values), the database refused it: \(error)")
                }
            }
            // The choices reach both outcomes often.
            #expect(accepted >= 40 && declined >= 40, "accepted \(accepted), declined \(declined)")
        }
    }

    @Test(
        "during the COPY a pledge is looked up by its index, however few pledges there are; the setting is put back as it was",
        arguments: ["on", "off"])
    func copyLooksPledgesUpByIndex(sessionSetting: String) async throws {
        try await ScratchDatabase.with { database in
            let connection = try database.connect()
            try seeded(connection)
            try connection.execute("ANALYZE pledge")
            try connection.execute("SELECT set_config('enable_seqscan', \(sessionSetting), false)")
            // The query the foreign key's trigger runs for each row stored, as PostgreSQL's ri_triggers.c
            // writes it.
            let lookup = "EXPLAIN (COSTS OFF) SELECT 1 FROM ONLY pledge x WHERE id OPERATOR(pg_catalog.=) 1 FOR KEY SHARE OF x"
            func plan(_ tx: Connection) throws -> String {
                try tx.query(PostgresQuery(unsafeSQL: lookup)).map { try $0.decode(String.self) }.joined(separator: "\n")
            }
            try connection.withTransaction { tx in
                let inside = try DeliveryImport.withPointLookups(tx) {
                    (try tx.query("SELECT current_setting('enable_seqscan')").scalar(String.self), try plan(tx))
                }
                #expect(inside.0 == "off")
                #expect(inside.1.contains("Index Scan using pledge_pkey"), "\(inside.1)")
                #expect(try tx.query("SELECT current_setting('enable_seqscan')").scalar(String.self) == sessionSetting)
                if sessionSetting == "on" {
                    // Three pledges: as planned outside, a sequential scan — what the COPY would do per row.
                    #expect(try plan(tx).contains("Seq Scan on pledge"))
                }
            }
            #expect(try connection.query("SELECT current_setting('enable_seqscan')").scalar(String.self) == sessionSetting)
        }
    }

    @Test("SHA-256 agrees with PostgreSQL's sha256() for every length across the block boundaries")
    func sha256AgreesWithPostgres() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            let alphabet = Array("ab,é€🇺🇦\u{1F}0")
            for length in 0...200 {
                let text = String((0..<length).map { alphabet[($0 * 7 + length) % alphabet.count] })
                let expected = try connection.query("SELECT encode(sha256(convert_to(\(text), 'UTF8')), 'hex')").scalar(String.self)
                #expect(SHA256.hash(text).hex == expected, "\(length) characters")
            }
        }
    }
}

@Suite("rows regrouped into sorted chunks")
struct SortedChunksTests {
    @Test("every row comes out once, each chunk of the input sorted by pledge, date and line, the chunks in input order")
    func everyRowOnceChunkBySortedChunk() async {
        let rows = Gen.int(in: 1...4).array(of: 0...9_000)
        await propertyCheck(count: 100, input: rows, Gen.int(in: 1...5_000)) { pledges, size in
            var chunks = SortedChunks(size: size)
            var out: [[String?]] = []
            for (line, pledge) in pledges.enumerated() {
                let day = "2024-01-0\(1 + (line * 7) % 9)"
                out += chunks.add(["\(pledge)", day, "\(line)"], pledge: pledge, day: day, line: line)
            }
            out += chunks.finish()
            // Chunks of 1,024, 1,280, 1,600, … rows, at most `size`.
            var bounds: [Range<Int>] = []
            var (start, length) = (0, min(size, 1_024))
            while start < pledges.count {
                bounds.append(start..<min(start + length, pledges.count))
                (start, length) = (start + length, min(size, length + length / 4))
            }
            let expected = bounds.flatMap { chunk in
                chunk
                    .map { line in (pledge: pledges[line], day: "2024-01-0\(1 + (line * 7) % 9)", line: line) }
                    .sorted { ($0.pledge, $0.day, $0.line) < ($1.pledge, $1.day, $1.line) }
                    .map { [String?]( ["\($0.pledge)", $0.day, "\($0.line)"]) }
            }
            #expect(out == expected)
        }
    }
}
