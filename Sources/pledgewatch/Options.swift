import ArgumentParser
import Foundation
import PledgeCore
import Postgres

/// Where the database is.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "libpq conninfo or postgres:// URL (default: $DATABASE_URL, else libpq's PG* variables).",
            valueName: "url"))
    var databaseURL: String?

    var configuration: ConnectionConfiguration { .resolve(explicit: databaseURL) }

    func connect() throws -> Connection { try Connection(configuration) }
}

/// `--json` for machine-readable output.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (sorted keys, decimal strings) instead of a table.")
    var json = false
}

/// Who is acting.
struct ActorOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Who is making this change (default: the operating-system user).", valueName: "name"))
    var by: String?

    func resolve() throws -> String { try Actor.resolve(by) }
}

/// `--as-of` on reads.
struct AsOfOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Show the ledger as it stood on this date (YYYY-MM-DD).", valueName: "date"))
    var asOf: String?

    func date() throws -> CalendarDate? {
        try asOf.map { text throws(InputError) in try CalendarDate.parse(text, field: "as-of") }
    }
}
