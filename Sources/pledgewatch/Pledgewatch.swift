import ArgumentParser
import Foundation
import Logging
import PledgeCore
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
        let arguments = Array(CommandLine.arguments.dropFirst())
        checkUsageIsUnknown(arguments)
        // As ArgumentParser's own `main`, but its messages quote what was typed (`The value '…' is invalid`):
        // printed with control characters shown as \u{…} (line breaks kept: its messages have lines).
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exitShowing(error)
        }
    }

    /// Prints what ArgumentParser would for `error` (help on stdout, errors on stderr, nothing for an
    /// `ExitCode`), escaped, and exits with its code.
    static func exitShowing(_ error: any Error) -> Never {
        let code = exitCode(for: error)
        let text = fullMessage(for: error)
        if !text.isEmpty {
            let shown = FreeText.visible(text, lines: .multiple) + "\n"
            try? (code == .success ? StandardStream.output : StandardStream.error).write(shown)
        }
        Foundation.exit(code.rawValue)
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
            try? Render.line("PLEDGEWATCH UNKNOWN - usage: " + FreeText.visible(first))
            try? StandardStream.error.write(FreeText.visible(fullMessage(for: error), lines: .multiple) + "\n")
            Foundation.exit(3)
        }
    }
}
