import Foundation
import Postgres
import Testing
import TestSupport

@Suite("binding and decoding every supported type")
struct BindingRoundTripTests {
    @Test("every bound type comes back equal, and NULL comes back as nil")
    func roundTrip() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            let uuid = UUID()
            let date = PostgresDate(year: 2024, month: 2, day: 29)!
            let instant = Date(timeIntervalSince1970: 1_700_000_000.123456)
            let row = try #require(
                try connection.query(
                    """
                    SELECT \("text")::text, \(Int(-9_000_000_000_000)), \(Int32(-2_000_000_000)), \(Int16(-32000)),
                           \(Int64.max), \(true), \(false), \(3.141592653589793), \(Decimal(string: "-0.000001")!),
                           \(date), \(instant), \(uuid), \(String?.none)::text, \(Int?.none), \(Decimal?.none)
                    """
                ).first)
            let decoded = try row.decode(
                (String, Int, Int32, Int16, Int64, Bool, Bool, Double, Decimal, PostgresDate, Date, UUID, String?, Int?,
                    Decimal?).self)
            #expect(decoded.0 == "text")
            #expect(decoded.1 == -9_000_000_000_000)
            #expect(decoded.2 == -2_000_000_000)
            #expect(decoded.3 == -32000)
            #expect(decoded.4 == Int64.max)
            #expect(decoded.5 == true)
            #expect(decoded.6 == false)
            #expect(decoded.7 == 3.141592653589793)
            #expect(decoded.8 == Decimal(string: "-0.000001")!)
            #expect(decoded.9 == date)
            #expect(abs(decoded.10.timeIntervalSince(instant)) < 0.000_001)
            #expect(decoded.11 == uuid)
            #expect(decoded.12 == nil)
            #expect(decoded.13 == nil)
            #expect(decoded.14 == nil)
        }
    }

    @Test("numeric keeps 123456789012345678901234.5678 exactly")
    func exactNumeric() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            let value = Decimal(string: "123456789012345678901234.5678")!
            let back = try connection.query("SELECT \(value)::numeric, (\(value)::numeric)::text").first!
            #expect(try back.decode(Decimal.self, at: 0) == value)
            #expect(try back.decode(String.self, at: 1) == "123456789012345678901234.5678")
        }
    }

    @Test("awkward strings are stored verbatim: quotes, semicolons, $1, emoji, injection, 1 MB")
    func awkwardStrings() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            try connection.execute("CREATE TABLE t (id serial PRIMARY KEY, value text NOT NULL)")
            let values = [
                "it's \"quoted\"", "a; b; c", "$1 $2 \\ backslash", "emoji 🇺🇦 🎯", "'); DROP TABLE t; --",
                "Robert'); DELETE FROM t WHERE ('1'='1", "tab\tnewline\ncarriage\r", String(repeating: "x", count: 1_000_000),
            ]
            for value in values { try connection.execute("INSERT INTO t (value) VALUES (\(value))") }
            let stored = try connection.query("SELECT value FROM t ORDER BY id").decode((String).self)
            #expect(stored == values)
            #expect(try connection.query("SELECT count(*) FROM t").scalar(Int.self) == values.count)
        }
    }

    @Test("a calendar date does not drift with the session's or the process's time zone")
    func dateDoesNotDrift() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            try connection.execute("SET TIME ZONE 'Pacific/Kiritimati'")
            let date = PostgresDate(year: 2023, month: 3, day: 20)!
            #expect(try connection.query("SELECT \(date)").scalar(PostgresDate.self) == date)
            #expect(try connection.query("SELECT \(date)::date + 1").scalar(PostgresDate.self).description == "2023-03-21")
        }
    }

    @Test("a decoding error names the column and the expected type")
    func decodingErrorNamesColumn() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            let rows = try connection.query("SELECT 'abc' AS quantity, NULL::int AS missing")
            let error = #expect(throws: PostgresError.self) { try rows.first!.decode(Int.self, column: "quantity") }
            #expect(error?.code == .decoding)
            #expect(error?.column == "quantity")
            #expect(error?.message.contains("Int") == true)
            let nullError = #expect(throws: PostgresError.self) { try rows.first!.decode(Int.self, column: "missing") }
            #expect(nullError?.message.contains("NULL") == true)
        }
    }

    @Test("interpolation binds: the SQL text holds placeholders, never the values")
    func interpolationBinds() {
        let hostile = "x'; DROP TABLE pledge; --"
        let query: PostgresQuery = "SELECT * FROM pledge WHERE public_id = \(hostile) AND id > \(5)"
        #expect(query.sql == "SELECT * FROM pledge WHERE public_id = $1 AND id > $2")
        #expect(query.bindings.values == [hostile, "5"])
        #expect(!query.description.contains("DROP"))
    }

    @Test("a fragment's values are bound too, numbered where it lands, and the server reads them there")
    func fragmentsBind() throws {
        let hostile = "x'; DROP TABLE t; --"
        let missing: Int? = nil
        let fragment: PostgresFragment = "SELECT \(hostile) AS a, \(missing) AS b, \(7) AS c"
        let query: PostgresQuery = "SELECT \(1) AS first, f.* FROM (\(fragment)) f WHERE \(2) > 1 AND f.c = \(7)"
        #expect(query.sql == "SELECT $1 AS first, f.* FROM (SELECT $2 AS a, $3 AS b, $4 AS c) f WHERE $5 > 1 AND f.c = $6")
        #expect(query.bindings.values == ["1", hostile, nil, "7", "2", "7"])
        #expect(query.bindings.typeOIDs[2] == Int.postgresTypeOID)
        #expect(!query.description.contains("DROP"))
        try ScratchDatabase.with(migrated: false) { database in
            let row = try #require(try database.connect().query(query).first)
            let (first, a, b, c) = try row.decode((Int, String, Int?, Int).self)
            #expect(first == 1 && a == hostile && b == nil && c == 7)
        }
    }
}
