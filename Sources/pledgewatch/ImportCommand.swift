import ArgumentParser
import PledgeService

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bulk imports.",
        subcommands: [Deliveries.self])

    struct Deliveries: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deliveries",
            abstract: "Import deliveries from CSV: every row lands or none does; re-importing adds nothing.",
            discussion: """
                Header, in any order:
                  pledge,date,quantity[,currency][,contributor][,source][,note][,idempotency_key]
                Every bad row is reported with its line number; then nothing is written (exit 65).

                Example:
                  printf 'pledge,date,quantity,contributor\\neu-1m-rounds,2023-12-15,20000,Germany\\n' \\
                    | pledgewatch import deliveries -
                """)

        @Argument(help: "The CSV file, or - for standard input.") var file: String
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let summary = try Administration(connection: try connection.connect(), actor: try actor.resolve()).importDeliveries(from: file)
                if output.json { return try Render.json(summary) }
                try Render.line("\(summary.rows) \(summary.rows == 1 ? "row" : "rows"): \(summary.added) added, \(summary.alreadyPresent) already present")
            }
        }
    }
}
