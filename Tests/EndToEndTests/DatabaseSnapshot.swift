// A fingerprint of every table, to prove that a refused command wrote nothing.
import Postgres
import TestSupport

/// Row count and an MD5 of every row, for every table of the `public` schema, however many migrations add.
struct DatabaseSnapshot: Equatable, CustomStringConvertible {
    struct Table: Equatable {
        let count: Int
        let md5: String
    }

    /// Tables a snapshot must include, or it proves nothing.
    static let ledgerTables: Set<String> = ["pledge", "pledge_terms", "pledge_status_change", "delivery", "fx_rate", "party"]

    let tables: [String: Table]

    /// Reads every table over a connection of its own. Table names come from the catalog and are quoted by the
    /// server (`format('%I')`); `query_to_xml` runs the per-table query inside this single statement.
    static func take(_ database: ScratchDatabase) throws -> DatabaseSnapshot {
        let connection = try database.connect()
        defer { connection.close() }
        let rows = try connection.query(
            """
            SELECT c.relname::text,
                   (xpath('/row/n/text()', x))[1]::text::bigint,
                   coalesce((xpath('/row/h/text()', x))[1]::text, '')
            FROM pg_class c
            JOIN pg_namespace s ON s.oid = c.relnamespace
            CROSS JOIN LATERAL query_to_xml(
                format('SELECT count(*) AS n, md5(string_agg(t::text, E''\\n'' ORDER BY t::text)) AS h FROM %I.%I AS t',
                       s.nspname, c.relname),
                false, true, '') AS x
            WHERE s.nspname = 'public' AND c.relkind IN ('r', 'p')
            ORDER BY 1
            """
        ).decode((String, Int, String).self)
        var tables: [String: Table] = [:]
        for (name, count, md5) in rows { tables[name] = Table(count: count, md5: md5) }
        let missing = ledgerTables.subtracting(tables.keys)
        guard missing.isEmpty else { throw SnapshotError(missing: missing.sorted()) }
        return DatabaseSnapshot(tables: tables)
    }

    var description: String {
        tables.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.count) rows, md5 \($0.value.md5)" }
            .joined(separator: "; ")
    }
}

struct SnapshotError: Error, CustomStringConvertible {
    let missing: [String]
    var description: String { "the snapshot lacks the tables \(missing.joined(separator: ", ")): is the database migrated?" }
}
