// Running the binary against a scratch database as an administrator would, and reading its --json output.
import Foundation
import Postgres
import TestSupport

extension ScratchDatabase {
    /// Runs `pledgewatch arguments…` with this database as its `DATABASE_URL`; any exit status is returned.
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        try Pledgewatch.run(arguments, database: conninfo, stdin: stdin, environment: environment)
    }

    /// Runs a command that must succeed (set-up steps, reads); a failure throws with the command's output.
    @discardableResult
    func succeed(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        let result = try run(arguments, stdin: stdin, environment: environment)
        guard result.status == 0 else { throw UnexpectedExit(arguments: arguments, result: result) }
        return result
    }

    /// `pledgewatch pledge show ID --json`, decoded.
    func show(_ id: String, asOf: String? = nil) throws -> PledgeJSON {
        try decode(PledgeJSON.self, try succeed(["pledge", "show", id, "--json"] + (asOf.map { ["--as-of", $0] } ?? [])))
    }

    /// `pledgewatch pledge list --json`, decoded.
    func list(asOf: String? = nil) throws -> [PledgeJSON] {
        try decode([PledgeJSON].self, try succeed(["pledge", "list", "--json"] + (asOf.map { ["--as-of", $0] } ?? [])))
    }

    /// `pledgewatch delivery list ID --json`, decoded.
    func entries(_ id: String, asOf: String? = nil) throws -> [EntryJSON] {
        try decode([EntryJSON].self, try succeed(["delivery", "list", id, "--json"] + (asOf.map { ["--as-of", $0] } ?? [])))
    }

    /// `SELECT count(*)` of one table, over a connection of the test's own.
    func count(_ table: PostgresIdentifier) throws -> Int {
        let connection = try connect()
        defer { connection.close() }
        return try connection.query("SELECT count(*) FROM \(table)").scalar(Int.self)
    }

    /// The article's pledges (`seed`), plus a EUR/USD rate on 2024-03-04 only, so that other days have none.
    func seedWithOneRate() throws {
        try succeed(["seed", "--by", "seeder"])
        try succeed(["fx", "set", "EUR", "USD", "1.0812", "--on", "2024-03-04", "--source", "ECB"])
    }
}

/// Decodes a command's stdout as JSON; the error quotes the output.
func decode<T: Decodable>(_ type: T.Type, _ result: CommandResult) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: Data(result.stdout.utf8))
    } catch {
        throw UnexpectedOutput(expected: "\(T.self)", result: result, error: error)
    }
}

/// `YYYY-MM-DD` (UTC) `days` from now.
func isoDate(daysFromNow days: Int) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
}

/// A pledge as `pledge show/list --json` prints it.
struct PledgeJSON: Decodable {
    struct Terms: Decodable, Equatable {
        let revision: Int
        let target, deadline, effectiveOn, reason, recordedBy: String
    }

    let id, donor, recipient, title, category, unit, status, announced, countsFrom, source, notes: String
    let original, current: Terms
    let revisions: [Terms]
    let delivered, percent: String
}

/// A ledger entry as `delivery list --json` prints it.
struct EntryJSON: Decodable {
    let id: Int
    let pledge, kind, date, quantity: String
    let reportedTotal, originalQuantity, originalCurrency, fxRate, contributor: String?
    let corrects, voidedBy: Int?
    let reason, source, note, recordedBy, recordedAt: String
    let idempotencyKey: String?
}

/// What `delivery record/report-total --json` prints.
struct RecordedJSON: Decodable {
    let entry: Int
    let created: Bool
    let quantity: String
}

struct UnexpectedExit: Error, CustomStringConvertible {
    let arguments: [String]
    let result: CommandResult
    var description: String { "pledgewatch \(arguments.joined(separator: " ")) failed:\n\(result)" }
}

struct UnexpectedOutput: Error, CustomStringConvertible {
    let expected: String
    let result: CommandResult
    let error: any Error
    var description: String { "expected \(expected) as JSON on stdout (\(error)):\n\(result)" }
}
