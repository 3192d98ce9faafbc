import ArgumentParser
import Foundation
import PledgeCore
import PledgeService

struct PledgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pledge",
        abstract: "Add, list, show, amend, commit and withdraw pledges.",
        subcommands: [Add.self, List.self, Show.self, Amend.self, Commit.self, Withdraw.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a pledge with its original terms.",
            discussion: """
                Example:
                  pledgewatch pledge add de-8bn-2024 --donor Germany --recipient Ukraine \\
                    --title "At least €8 billion of military aid in 2024" \\
                    --category military --unit EUR --target 8000000000 \\
                    --announced 2023-11-14 --counts-from 2024-01-01 --deadline 2024-12-31 \\
                    --status committed --source "Article of 2023-11-14"
                """)

        @Argument(help: "Public id: a slug such as eu-1m-rounds.") var id: String
        @Option(help: "Who pledged (a state, organisation or alliance).") var donor: String
        @Option(help: "Who receives.") var recipient: String
        @Option(help: "What was pledged, in a sentence.") var title: String
        @Option(help: "military, financial or humanitarian.") var category: String
        @Option(help: "A count unit (rounds, troops, vehicles) or an ISO 4217 currency (EUR).") var unit: String
        @Option(help: "The target quantity in the unit.") var target: String
        @Option(help: "Announcement date, YYYY-MM-DD.") var announced: String
        @Option(name: .customLong("counts-from"), help: "Deliveries count from this date (default: the announcement).")
        var countsFrom: String?
        @Option(help: "Deadline, YYYY-MM-DD.") var deadline: String
        @Option(help: "proposed or committed.") var status: String = "committed"
        @Option(help: "URL or citation.") var source: String = ""
        @Option(help: "Free notes.") var notes: String = ""
        @OptionGroup var actor: ActorOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let pledge = try NewPledge(
                    publicID: id, donor: donor, recipient: recipient, title: title, category: category, unit: unit,
                    target: target, announced: announced, countsFrom: countsFrom, deadline: deadline, status: status,
                    source: source, notes: notes)
                try Administration(connection: try connection.connect(), actor: try actor.resolve()).addPledge(pledge)
                try Render.line("added \(pledge.publicID)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List pledges with their current terms and what has been delivered.",
            discussion: "Example:\n  pledgewatch pledge list --as-of 2023-11-14")

        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let admin = Administration(connection: try connection.connect(), actor: "reader")
                let date = try asOf.date()
                let views = try admin.pledges.list(asOf: date).map { pledge in
                    PledgeView(pledge, delivered: try admin.ledger.delivered(pledgeID: pledge.publicID, asOf: date), asOf: date)
                }
                if output.json { return try Render.json(views) }
                try Render.table(
                    ["ID", "DONOR", "STATUS", "UNIT", "TARGET", "DEADLINE", "DELIVERED", "%"],
                    views.map {
                        [$0.id, $0.donor, $0.status, $0.unit, Render.grouped($0.current.targetValue), $0.current.deadline,
                         Render.grouped($0.deliveredValue), $0.percent]
                    }, rightAligned: [4, 6, 7])
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one pledge: original and current terms, every revision, and the ledger total.",
            discussion: "Example:\n  pledgewatch pledge show eu-1m-rounds")

        @Argument(help: "Public id.") var id: String
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let admin = Administration(connection: try connection.connect(), actor: "reader")
                let date = try asOf.date()
                let pledge = try admin.pledges.find(try PledgeID.validate(id), asOf: date)
                let view = PledgeView(pledge, delivered: try admin.ledger.delivered(pledgeID: pledge.publicID, asOf: date), asOf: date)
                if output.json { return try Render.json(view) }
                try Render.line("\(view.id): \(FreeText.visible(view.title))")
                try Render.line("  donor \(FreeText.visible(view.donor)) → \(FreeText.visible(view.recipient)); \(view.category); \(view.status)")
                try Render.line("  announced \(view.announced), counting from \(view.countsFrom)")
                try Render.line("  original terms: \(Render.grouped(view.original.targetValue)) \(view.unit) by \(view.original.deadline)")
                try Render.line("  current terms:  \(Render.grouped(view.current.targetValue)) \(view.unit) by \(view.current.deadline)")
                try Render.line("  delivered: \(Render.grouped(view.deliveredValue)) \(view.unit) (\(view.percent) %)")
                if !view.source.isEmpty { try Render.line("  source: \(FreeText.visible(view.source))") }
                if !view.notes.isEmpty {
                    // Each line of the notes under the first, indented as it.
                    // (Split by scalar: "\r\n" is one `Character`, not equal to "\n".)
                    let lines = FreeText.visible(view.notes, lines: .multiple).unicodeScalars
                        .split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
                    try Render.line("  notes: " + lines.joined(separator: "\n         "))
                }
                try Render.line("")
                try Render.table(
                    ["REVISION", "TARGET", "DEADLINE", "EFFECTIVE", "BY", "REASON"],
                    view.revisions.map {
                        ["\($0.revision)", Render.grouped($0.targetValue), $0.deadline, $0.effectiveOn, $0.recordedBy, $0.reason]
                    }, rightAligned: [0, 1])
            }
        }
    }

    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "amend",
            abstract: "Amend the target and/or deadline; the original terms are kept.",
            discussion: """
                Example:
                  pledgewatch pledge amend eu-1m-rounds --deadline 2024-12-31 \\
                    --effective 2024-01-31 \\
                    --reason "EU conceded the March deadline would be missed"
                """)

        @Argument(help: "Public id.") var id: String
        @Option(help: "New target.") var target: String?
        @Option(help: "New deadline, YYYY-MM-DD.") var deadline: String?
        @Option(help: "The date the amendment takes effect (default: today).") var effective: String?
        @Option(help: "Why the terms changed (required).") var reason: String
        @OptionGroup var actor: ActorOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let terms = try Administration(connection: try connection.connect(), actor: try actor.resolve())
                    .amend(id, target: target, deadline: deadline, effective: effective, reason: reason)
                try Render.line("\(id): revision \(terms.revision): \(Render.grouped(terms.target)) by \(terms.deadline), effective \(terms.effectiveOn)")
            }
        }
    }

    struct Commit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "commit",
            abstract: "Mark a proposed pledge as committed.",
            discussion: "Example:\n  pledgewatch pledge commit eu-20bn-military-aid --reason \"Council agreement\"")

        @Argument(help: "Public id.") var id: String
        @Option(help: "Why (optional).") var reason: String = ""
        @OptionGroup var actor: ActorOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let outcome = try Administration(connection: try connection.connect(), actor: try actor.resolve())
                    .setStatus(id, to: .committed, reason: reason)
                if case .changed(let from) = outcome { try Render.line("\(id): \(from.rawValue) → committed") }
            }
        }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "withdraw",
            abstract: "Withdraw a pledge; its ledger is closed to new entries.",
            discussion: "Example:\n  pledgewatch pledge withdraw eu-20bn-military-aid --reason \"No unanimity\"")

        @Argument(help: "Public id.") var id: String
        @Option(help: "Why (required).") var reason: String
        @OptionGroup var actor: ActorOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let outcome = try Administration(connection: try connection.connect(), actor: try actor.resolve())
                    .setStatus(id, to: .withdrawn, reason: reason)
                if case .changed(let from) = outcome { try Render.line("\(id): \(from.rawValue) → withdrawn") }
            }
        }
    }
}

/// A pledge as `pledge list/show --json` prints it: quantities as decimal strings.
struct PledgeView: Encodable {
    struct Terms: Encodable {
        let revision: Int
        let target: String
        let deadline: String
        let effectiveOn: String
        let reason: String
        let recordedBy: String
        let targetValue: Decimal

        init(_ terms: PledgeTerms) {
            revision = terms.revision
            target = terms.target.description
            targetValue = terms.target
            deadline = terms.deadline.description
            effectiveOn = terms.effectiveOn.description
            reason = terms.reason
            recordedBy = terms.recordedBy
        }

        enum CodingKeys: String, CodingKey { case revision, target, deadline, effectiveOn, reason, recordedBy }
    }

    let id, donor, recipient, title, category, unit, status, announced, countsFrom, source, notes: String
    let original: Terms
    let current: Terms
    let revisions: [Terms]
    let delivered: String
    let percent: String
    let deliveredValue: Decimal

    init(_ pledge: Pledge, delivered: Decimal, asOf: CalendarDate?) {
        id = pledge.publicID
        donor = pledge.donor
        recipient = pledge.recipient
        title = pledge.title
        category = pledge.category.rawValue
        unit = pledge.unit.code
        status = pledge.status.rawValue
        announced = pledge.announcedOn.description
        countsFrom = pledge.countsFrom.description
        source = pledge.source
        notes = pledge.notes
        original = Terms(pledge.originalTerms)
        current = Terms(asOf.map { pledge.terms(on: $0) } ?? pledge.currentTerms)
        revisions = pledge.terms.map(Terms.init)
        self.delivered = delivered.description
        deliveredValue = delivered
        var ratio = delivered * 100 / current.targetValue
        var rounded = Decimal()
        NSDecimalRound(&rounded, &ratio, 1, .plain)
        percent = rounded.description
    }

    enum CodingKeys: String, CodingKey {
        case id, donor, recipient, title, category, unit, status, announced, countsFrom, source, notes, original, current,
            revisions, delivered, percent
    }
}
