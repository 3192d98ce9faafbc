import ArgumentParser
import Foundation
import PledgeCore
import PledgeService
import PledgeStore

/// Options the evaluation commands share.
struct EvaluationOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Evaluate as if this day were today, with only what was reported by then.", valueName: "date"))
    var asOf: String?
    @Option(name: .customLong("likely-miss-below"), help: "likely_miss when P(on time) is below this.")
    var likelyMissBelow: Double = 0.5
    @Option(name: .customLong("at-risk-below"), help: "at_risk when P(on time) is below this.")
    var atRiskBelow: Double = 0.8
    @Option(name: .customLong("stalled-after-days"), help: "stalled when behind and nothing delivered for this many days.")
    var stalledAfterDays: Int = 90

    func date() throws -> CalendarDate? { try asOf.map { text throws(InputError) in try CalendarDate.parse(text, field: "as-of") } }

    func policy() throws -> AssessmentPolicy {
        guard (0...1).contains(likelyMissBelow), (0...1).contains(atRiskBelow), likelyMissBelow <= atRiskBelow else {
            throw InputError.invalid(
                field: "likely-miss-below/at-risk-below", value: "\(likelyMissBelow)/\(atRiskBelow)",
                expected: "probabilities with likely-miss-below ≤ at-risk-below")
        }
        guard stalledAfterDays > 0 else {
            throw InputError.invalid(field: "stalled-after-days", value: "\(stalledAfterDays)", expected: "a positive number of days")
        }
        var policy = AssessmentPolicy()
        policy.likelyMissBelow = likelyMissBelow
        policy.atRiskBelow = atRiskBelow
        policy.stalledAfterDays = stalledAfterDays
        return policy
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Assess every pledge, advance alerts, queue notifications — made for cron.",
        discussion: """
            Stores every assessment (the forecast history), the alert transitions and the webhook outbox in \
            one transaction. Prints only what changed, so cron mails only news; --verbose prints every pledge. \
            Exits 0 whenever the run worked, whatever the alerts; 75 when another evaluation is running; \
            65 for an as-of day after today or before the latest evaluation's (alerts only move forward: \
            look at the past with check --as-of or export --as-of).

            Examples:
              pledgewatch evaluate
              pledgewatch evaluate --as-of 2023-11-14 --verbose
              PLEDGEWATCH_WEBHOOK_URL=https://hooks.example/alerts pledgewatch evaluate
            """)

    @OptionGroup var evaluation: EvaluationOptions
    @Flag(name: .long, help: "Print every pledge's assessment, not only changes.") var verbose = false
    @Option(name: .customLong("webhook-url"), help: "POST firing/resolved notifications here (default: $PLEDGEWATCH_WEBHOOK_URL).")
    var webhookURL: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        MallocArenas.limit()
        // Its news written to a pipe nobody reads any more must not end the run before its notifications
        // go out: the write fails (EPIPE) and is reported as any unwritable output is (74), after them. (The
        // other commands keep SIGPIPE's default: `pledgewatch pledge list | head -1` ends quietly, as `cat` does.)
        signal(SIGPIPE, SIG_IGN)
        try Failure.guarding {
            let db = try connection.connect()
            var evaluator = Evaluator(connection: db)
            // A second session reads the timelines while the first writes (about 6 % of a medium evaluation),
            // opened once there is more than one batch; without one (the server's connection limit, say) the
            // first does both.
            evaluator.openReader = { [connection] in try connection.connect() }
            evaluator.policy = try evaluation.policy()
            evaluator.webhookURL = webhookURL ?? ProcessInfo.processInfo.environment["PLEDGEWATCH_WEBHOOK_URL"]
            evaluator.keepAssessments = verbose || output.json
            let report = try evaluator.run(asOf: try evaluation.date())
            // The news first: it is committed, and neither a slow receiver nor a failed delivery may keep it
            // from cron's mail. Output that cannot be written (a full disk) is reported once the
            // notifications have been sent: they do not depend on it.
            var unwritten: StandardStream.WriteError?
            do {
                if output.json {
                    let units = try Dictionary(uniqueKeysWithValues: PledgeRepository(db).list().map { ($0.publicID, $0.unit.scale) })
                    try Render.json(EvaluationView(report, scales: units))
                } else {
                    try Render.lines(report.changes.lazy.map(Self.describe))
                    if verbose { try Self.table(report.assessments) }
                }
            } catch let error as StandardStream.WriteError {
                unwritten = error
            }
            if evaluator.webhookURL != nil {
                // The evaluation ran: a notification not delivered now is queued and retried, so exit 0 either way.
                do {
                    let (_, failed) = try WebhookSender(connection: db).deliverDue()
                    if failed > 0 {
                        try? StandardStream.error.write("pledgewatch: \(failed) webhook notification(s) not delivered yet; they will be retried\n")
                    }
                } catch {
                    // Worded as any other failure is (the server's message, not the error's generic text).
                    try? StandardStream.error.write(
                        "pledgewatch: webhook delivery stopped (\(FreeText.visible(Failure.describe(error).0))); queued notifications will be retried\n")
                }
            }
            if let unwritten { throw unwritten }
        }
    }

    static func describe(_ change: EvaluationReport.Change) -> String {
        switch change {
        case .status(let pledge, let from, let to, let reason):
            return "\(pledge): \(from?.rawValue ?? "new") → \(to.rawValue) (\(reason))"
        case .alert(let pledge, let rule, _, let to, let notification, let silenced, let summary):
            let what = notification.map { $0 == .firing ? "FIRING" : "RESOLVED" } ?? to.rawValue
            return "\(pledge): alert \(rule.alertName) \(what)\(silenced ? " (silenced)" : "") — \(summary)"
        }
    }

    static func table(_ assessments: [Assessment]) throws {
        try Render.table(
            ["PLEDGE", "STATUS", "DELIVERED", "TARGET", "P50 AT DEADLINE", "P(ON TIME)", "PACE", "GRADE", "METHOD"],
            assessments.map { a in
                [
                    a.pledgeID, a.status.rawValue, Render.grouped(a.delivered), Render.grouped(a.target),
                    Figure.grouped(a.projectedTotal.p50),
                    a.probabilityOnTime.map { String(format: "%.1f %%", $0 * 100) } ?? "—",
                    a.paceRatio.map { String(format: "%.2f", $0) } ?? "—", a.grade.rawValue, a.method,
                ]
            }, rightAligned: [2, 3, 4, 5, 6])
    }
}

/// `evaluate --json`.
struct EvaluationView: Encodable {
    struct ChangeView: Encodable {
        let pledge: String
        let kind: String
        let from: String?
        let to: String
        let rule: String?
        let notification: String?
        let silenced: Bool
        let text: String
    }

    let runID: String
    let asOf: String
    let assessments: [AssessmentSummary]
    let changes: [ChangeView]

    init(_ report: EvaluationReport, scales: [String: Int]) {
        runID = report.runID.uuidString.lowercased()
        asOf = report.asOf.description
        assessments = report.assessments.map { AssessmentSummary($0, scale: scales[$0.pledgeID] ?? 0) }
        changes = report.changes.map { change in
            switch change {
            case .status(let pledge, let from, let to, _):
                ChangeView(pledge: pledge, kind: "status", from: from?.rawValue, to: to.rawValue, rule: nil, notification: nil, silenced: false, text: Evaluate.describe(change))
            case .alert(let pledge, let rule, let from, let to, let notification, let silenced, _):
                ChangeView(pledge: pledge, kind: "alert", from: from.rawValue, to: to.rawValue, rule: rule.rawValue, notification: notification?.rawValue, silenced: silenced, text: Evaluate.describe(change))
            }
        }
    }
}
