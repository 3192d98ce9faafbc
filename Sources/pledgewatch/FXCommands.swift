import ArgumentParser
import PledgeCore
import PledgeService

struct FXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fx",
        abstract: "Exchange rates per currency pair and day (1 base = rate quote).",
        subcommands: [SetRate.self, Import.self, List.self])

    struct SetRate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set the rate of a currency pair on a day.",
            discussion: "Example:\n  pledgewatch fx set EUR USD 1.0812 --on 2024-03-01 --source ECB")

        @Argument(help: "Base currency (ISO 4217).") var base: String
        @Argument(help: "Quote currency (ISO 4217).") var quote: String
        @Argument(help: "Units of quote per 1 base.") var rate: String
        @Option(help: "Date, YYYY-MM-DD.") var on: String
        @Option(help: "Where the rate comes from.") var source: String = ""
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                try Administration(connection: try connection.connect(), actor: "fx")
                    .setRate(base: base, quote: quote, on: on, rate: rate, source: source)
                try Render.line("1 \(base) = \(rate) \(quote) on \(on)")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import the ECB's reference-rate CSV (eurofxref-hist.csv): EUR base, N/A skipped.",
            discussion: "Example:\n  pledgewatch fx import eurofxref-hist.csv")

        @Argument(help: "The CSV file, or - for standard input.") var file: String
        @Option(help: "Where the rates come from.") var source: String = "ECB euro foreign exchange reference rates"
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let count = try Administration(connection: try connection.connect(), actor: "fx").importECBRates(from: file, source: source)
                try Render.line("stored \(count) rates")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List stored rates, newest first.",
            discussion: "Example:\n  pledgewatch fx list --currency USD")

        @Option(help: "Only pairs with this currency.") var currency: String?
        @Option(help: "At most this many rates.") var limit: Int = 50
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ConnectionOptions

        struct View: Encodable {
            let base, quote, date, rate, source: String
        }

        func run() throws {
            try Failure.guarding {
                guard limit >= 1 else { throw InputError.invalid(field: "limit", value: "\(limit)", expected: "a whole number of rates, at least 1") }
                let rates = try Administration(connection: try connection.connect(), actor: "fx").fx.list(currency: currency, limit: limit)
                let views = rates.map { View(base: $0.base, quote: $0.quote, date: $0.date.description, rate: $0.rate.description, source: $0.source) }
                if output.json { return try Render.json(views) }
                try Render.table(["DATE", "BASE", "QUOTE", "RATE", "SOURCE"], views.map { [$0.date, $0.base, $0.quote, $0.rate, $0.source] }, rightAligned: [3])
            }
        }
    }
}
