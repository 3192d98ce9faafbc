import ArgumentParser
import Foundation
import PledgeCore
import PledgeService

struct DeliveryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delivery",
        abstract: "Record deliveries and reported totals; list, void and correct ledger entries.",
        subcommands: [Record.self, ReportTotal.self, List.self, VoidEntry.self, Correct.self])

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record a delivery (append-only).",
            discussion: """
                A retry with the same --idempotency-key and the same values adds nothing; the same key with \
                other values is refused (exit 67). An amount in another currency is converted at that day's \
                FX rate (see `fx`).

                Examples:
                  pledgewatch delivery record de-8bn-2024 --quantity 1200000000 \\
                    --on 2024-02-15 --source "BMVg press release" \\
                    --idempotency-key bmvg-2024-02-15
                  pledgewatch delivery record de-8bn-2024 --quantity 500000000 \\
                    --currency USD --on 2024-03-01
                """)

        @Argument(help: "Public id of the pledge.") var id: String
        @Option(help: "Quantity delivered (> 0) in the pledge's unit, or in --currency.") var quantity: String
        @Option(help: "Delivery date, YYYY-MM-DD.") var on: String
        @Option(help: "ISO 4217 currency of --quantity when it is not the pledge's.") var currency: String?
        @Option(help: "A member state or party delivering under this pledge.") var contributor: String?
        @Option(help: "URL or citation.") var source: String = ""
        @Option(help: "Free note.") var note: String = ""
        @Option(name: .customLong("idempotency-key"), help: "Makes retries safe: the same key records once.")
        var idempotencyKey: String?
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let delivery = try NewDelivery(
                    pledgeID: id, date: on, quantity: quantity, currency: currency, contributor: contributor,
                    source: source, note: note, idempotencyKey: idempotencyKey)
                let recorded = try Administration(connection: try connection.connect(), actor: try actor.resolve()).record(delivery)
                try RecordedView(recorded).print(json: output.json, verb: "recorded")
            }
        }
    }

    struct ReportTotal: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report-total",
            abstract: "Record a cumulative total as reported on a date (stored as the increment).",
            discussion: """
                A total below the previous known total is refused: lower figures go through `delivery correct`. \
                So is a date before the pledge's latest ledger entry: record earlier figures with `delivery record`.

                Example:
                  pledgewatch delivery report-total eu-1m-rounds --total 300000 \\
                    --as-of 2023-11-14 --source "EU: more than 300,000 rounds delivered"
                """)

        @Argument(help: "Public id of the pledge.") var id: String
        @Option(help: "The cumulative total reported.") var total: String
        @Option(name: .customLong("as-of"), help: "The date the total refers to, YYYY-MM-DD.") var asOf: String
        @Option(help: "URL or citation.") var source: String = ""
        @Option(name: .customLong("idempotency-key"), help: "Makes retries safe: the same key records once.")
        var idempotencyKey: String?
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let recorded = try Administration(connection: try connection.connect(), actor: try actor.resolve())
                    .reportTotal(id, total: total, asOf: asOf, source: source, idempotencyKey: idempotencyKey)
                try RecordedView(recorded).print(json: output.json, verb: "reported")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List a pledge's ledger entries, oldest first, with the running total.",
            discussion: "Example:\n  pledgewatch delivery list eu-1m-rounds --as-of 2023-12-31")

        @Argument(help: "Public id of the pledge.") var id: String
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let admin = Administration(connection: try connection.connect(), actor: "reader")
                let entries = try admin.ledger.entries(pledgeID: try PledgeID.validate(id), asOf: try asOf.date())
                if output.json { return try Render.json(entries.map(EntryView.init)) }
                var running = Decimal(0)
                try Render.table(
                    ["ENTRY", "DATE", "KIND", "QUANTITY", "TOTAL", "REF", "BY", "SOURCE / REASON"],
                    entries.map { entry in
                        running += entry.quantity
                        let reference = entry.correctsID.map { "→#\($0)" } ?? entry.voidedBy.map { "void #\($0)" } ?? ""
                        var text = entry.kind == .void || entry.kind == .correction ? entry.reason : entry.source
                        if let original = entry.originalQuantity, let currency = entry.originalCurrency {
                            text = "\(Render.grouped(original)) \(currency) @ \(entry.fxRate ?? 0); " + text
                        }
                        if text.count > 60 { text = String(text.prefix(59)) + "…" }
                        return [
                            "#\(entry.id)", entry.date.description, entry.kind.rawValue, Render.grouped(entry.quantity),
                            Render.grouped(running), reference, entry.recordedBy, text,
                        ]
                    }, rightAligned: [0, 3, 4])
            }
        }
    }

    struct VoidEntry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "void",
            abstract: "Void an entry: appends a reversing entry; the original stays visible.",
            discussion: "Example:\n  pledgewatch delivery void 17 --reason \"double-counted: same shipment as #12\"")

        @Argument(help: "Entry number (from `delivery list`).") var entry: Int
        @Option(help: "Why (required).") var reason: String
        @OptionGroup var actor: ActorOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let created = try Administration(connection: try connection.connect(), actor: try actor.resolve())
                    .void(entry: entry, reason: reason)
                try Render.line("voided #\(entry) with \(created.map { "#\($0)" }.joined(separator: ", "))")
            }
        }
    }

    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "correct",
            abstract: "Correct an entry's quantity (for a reported total: the corrected total).",
            discussion: "Example:\n  pledgewatch delivery correct 17 --quantity 250000 --reason \"revised figure\"")

        @Argument(help: "Entry number (from `delivery list`).") var entry: Int
        @Option(help: "The right quantity (or total, for a report).") var quantity: String
        @Option(help: "Why (required).") var reason: String
        @OptionGroup var actor: ActorOptions
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            try Failure.guarding {
                let created = try Administration(connection: try connection.connect(), actor: try actor.resolve())
                    .correct(entry: entry, quantity: quantity, reason: reason)
                try Render.line("corrected #\(entry) with \(created.map { "#\($0)" }.joined(separator: ", "))")
            }
        }
    }
}

/// The outcome of a write to the ledger.
struct RecordedView: Encodable {
    let entry: Int
    let created: Bool
    let quantity: String

    init(_ recorded: Administration.Recorded) {
        entry = recorded.entryID
        created = recorded.created
        quantity = recorded.quantity.description
    }

    func print(json: Bool, verb: String) throws {
        if json { return try Render.json(self) }
        try Render.line(created ? "\(verb) entry #\(entry)" : "already recorded as entry #\(entry); nothing added")
    }
}

/// A ledger entry as `--json` prints it.
struct EntryView: Encodable {
    let id: Int
    let pledge, kind, date, quantity: String
    let reportedTotal, originalQuantity, originalCurrency, fxRate, contributor: String?
    let corrects, voidedBy: Int?
    let reason, source, note, recordedBy, recordedAt: String
    let idempotencyKey: String?

    init(_ entry: LedgerEntry) {
        id = entry.id
        pledge = entry.pledgeID
        kind = entry.kind.rawValue
        date = entry.date.description
        quantity = entry.quantity.description
        reportedTotal = entry.reportedTotal?.description
        originalQuantity = entry.originalQuantity?.description
        originalCurrency = entry.originalCurrency
        fxRate = entry.fxRate?.description
        contributor = entry.contributor
        corrects = entry.correctsID
        voidedBy = entry.voidedBy
        reason = entry.reason
        source = entry.source
        note = entry.note
        recordedBy = entry.recordedBy
        recordedAt = ISO8601DateFormatter().string(from: entry.recordedAt)
        idempotencyKey = entry.idempotencyKey
    }
}
