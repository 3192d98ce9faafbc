import ArgumentParser
import Foundation
import PledgeCore
import PledgeService

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the dashboard JSON (pledgewatch/v1) to stdout or, atomically, to a file.",
        discussion: """
            Without --as-of it shows the latest evaluation (cron: `evaluate` then `export`); with --as-of it \
            assesses every pledge as of that day without storing anything. The same state always gives the \
            same bytes. The document is described by Schema/dashboard.schema.json.

            Examples:
              pledgewatch export --out /var/www/pledgewatch/dashboard.json
              pledgewatch export --as-of 2023-11-14 --pledge eu-1m-rounds
              pledgewatch export --donor Germany --reporting-currency USD
            """)

    @Option(help: "Write here (atomically: temporary file, fsync, rename) instead of stdout.") var out: String?
    @Option(name: .customLong("as-of"), help: "Assess as of this day instead of showing the latest evaluation.") var asOf: String?
    @Option(name: .customLong("pledge"), help: "Only this pledge (repeatable).") var pledges: [String] = []
    @Option(name: .customLong("donor"), help: "Only this donor's pledges (repeatable).") var donors: [String] = []
    @Option(
        name: .customLong("reporting-currency"),
        help: "Currency of the money totals (default: $PLEDGEWATCH_REPORTING_CURRENCY, as serve reads it, else EUR).")
    var reportingCurrency: String?
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        try Failure.guarding {
            let reportingCurrency = reportingCurrency ?? ProcessInfo.processInfo.environment["PLEDGEWATCH_REPORTING_CURRENCY"] ?? "EUR"
            guard case .currency(let currency) = try PledgeUnit.parse(reportingCurrency, field: "reporting-currency") else {
                throw InputError.invalid(field: "reporting-currency", value: reportingCurrency, expected: "an ISO 4217 code such as EUR")
            }
            if out?.isEmpty == true { throw InputError.invalid(field: "out", value: "", expected: "the path of the file to write") }
            var service = DashboardService(connection: try connection.connect())
            service.reportingCurrency = currency
            let filter = DashboardService.Filter(
                pledgeIDs: try pledges.map { id throws(InputError) in try PledgeID.validate(id) }, donors: donors)
            let date = try asOf.map { text throws(InputError) in try CalendarDate.parse(text, field: "as-of") }
            // Streamed a batch of pledges at a time: memory stays flat however large the ledger.
            if let out {
                try AtomicFile.write(to: out) { sink in try service.write(asOf: date, filter: filter, to: sink) }
            } else {
                var output = Render.BufferedStandardOutput()
                try service.write(asOf: date, filter: filter) { piece in try output.append(piece) }
                try output.flush()
            }
        }
    }
}
