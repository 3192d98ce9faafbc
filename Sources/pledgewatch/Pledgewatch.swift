import ArgumentParser
import Foundation
import Logging
import PledgeService

/// The `pledgewatch` command line: argument parsing and rendering only.
@main
struct Pledgewatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pledgewatch",
        abstract: "Track pledges against deliveries, project shortfalls, alert before deadlines.",
        discussion: """
            Connects to PostgreSQL through libpq: --database-url, else DATABASE_URL, else the PG* variables.

            Exit codes:
              0   success (also when alerts fire)
              1   unexpected failure
              64  usage: an unknown option or a missing argument
              65  bad input: a value is invalid; nothing was written
              66  not found: no such pledge, entry or file (or no directory for export --out)
              67  conflict with what is stored (reused idempotency key, withdrawn pledge…)
              69  database unavailable (serve: also the listen address)
              73  export --out: the file cannot be created (import: no temporary copy of standard input)
              74  standard output cannot be written (a full disk); the work itself is done
              75  busy: another run holds the lock (evaluate); try again later
              78  schema: run `pledgewatch migrate`, or a migration file was edited

            Example:
              pledgewatch migrate && pledgewatch seed && pledgewatch pledge list
            """,
        version: "0.1.0",
        subcommands: [
            Migrate.self, Seed.self, PledgeCommand.self, DeliveryCommand.self, FXCommand.self, ImportCommand.self,
            Evaluate.self, Check.self, SilenceCommand.self, Notify.self, Export.self, Serve.self,
        ]
    )

    /// Diagnostics go to stderr through swift-log; only warnings and errors unless PLEDGEWATCH_LOG_LEVEL
    /// says otherwise, so cron mails only news.
    static func main() async {
        let level = ProcessInfo.processInfo.environment["PLEDGEWATCH_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        checkUsageIsUnknown(Array(CommandLine.arguments.dropFirst()))
        await main(nil)
    }

    /// `check` speaks the Nagios plugin codes: its usage errors (an unknown flag, a value the parser
    /// refuses) are 3 UNKNOWN, not 64, which a monitoring system would misread — with the plugin line on
    /// standard output, where Nagios and NRPE read it, and the parser's whole message on stderr.
    static func checkUsageIsUnknown(_ arguments: [String]) {
        guard arguments.first == Check.configuration.commandName else { return }
        do {
            _ = try parseAsRoot(arguments)
        } catch {
            guard exitCode(for: error) == .validationFailure else { return }
            let message = message(for: error)
            let first = message.split(separator: "\n").first.map(String.init) ?? message
            try? Render.line("PLEDGEWATCH UNKNOWN - usage: " + first)
            try? StandardStream.error.write(fullMessage(for: error) + "\n")
            Foundation.exit(3)
        }
    }
}
