import ArgumentParser
import Foundation
import PledgeCore
import PledgeStore
import PledgeService

struct SilenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence",
        abstract: "Silence a pledge's alerts: they are still recorded, but not notified.",
        subcommands: [Add.self, List.self, Expire.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Silence one rule (or all) of a pledge until a date.",
            discussion: """
                Example:
                  pledgewatch silence add --pledge eu-1m-rounds --rule likely_miss \\
                    --until 2024-03-31 --reason "known; briefed"
                """)

        @Option(help: "Public id of the pledge.") var pledge: String
        @Option(help: "likely_miss, missed, stalled, at_risk or met (default: all).") var rule: String?
        @Option(help: "Last day of the silence, YYYY-MM-DD.") var until: String
        @Option(help: "Why (required).") var reason: String
        @OptionGroup var actor: ActorOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let id = try PledgeID.validate(pledge)
                let parsedRule = try rule.map { text throws(InputError) in try AlertRule.parse(text) }
                let date = try CalendarDate.parse(until, field: "until")
                let why = try FreeText.validate(reason, field: "reason", required: true, lines: .multiple)
                let silence = try SilenceRepository(try connection.connect()).add(pledgeID: id, rule: parsedRule, until: date, reason: why, by: try actor.resolve())
                try Render.line("silence #\(silence): \(id) \(parsedRule?.rawValue ?? "all rules") until \(date)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List active silences (--all: expired ones too).", discussion: "Example:\n  pledgewatch silence list --all --json")

        @Flag(name: .long, help: "Include expired silences.") var all = false
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let silences = try SilenceRepository(try connection.connect()).list(includeExpired: all, today: .today())
                if output.json { return try Render.json(silences) }
                try Render.table(
                    ["ID", "PLEDGE", "RULE", "UNTIL", "BY", "EXPIRED", "REASON"],
                    silences.map { ["#\($0.id)", $0.pledgeID, $0.rule ?? "all", $0.until.description, $0.createdBy, $0.expired ? "yes" : "", $0.reason] },
                    rightAligned: [0])
            }
        }
    }

    struct Expire: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "expire", abstract: "End a silence now.", discussion: "Example:\n  pledgewatch silence expire 3")

        @Argument(help: "Silence number.") var id: Int
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                try SilenceRepository(try connection.connect()).expire(id: id)
                try Render.line("silence #\(id) expired")
            }
        }
    }
}

struct Notify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Send queued webhook notifications that are due (evaluate and serve do this too).",
        discussion: "Example:\n  pledgewatch notify")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        try Failure.guarding {
            let (delivered, failed) = try WebhookSender(connection: try connection.connect()).deliverDue()
            if delivered + failed > 0 { try Render.line("\(delivered) delivered, \(failed) to retry") }
        }
    }
}
