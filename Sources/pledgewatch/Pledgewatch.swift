import ArgumentParser
import Foundation
import Logging

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
              69  database unavailable
              73  export --out: the file cannot be created
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
        let level = ProcessInfo.processInfo.environment["PLEDGEWATCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        await main(nil)
    }
}
