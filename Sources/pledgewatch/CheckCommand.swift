import ArgumentParser
import Foundation
import PledgeCore
import PledgeService

/// Nagios-style plugin output and exit codes for monitoring systems.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Monitoring check: exit 0 OK, 1 WARNING (at_risk, stalled), 2 CRITICAL (likely_miss, missed), 3 UNKNOWN.",
        discussion: """
            Assesses every pledge without storing anything and prints one Nagios plugin line.

            Example:
              pledgewatch check --as-of 2023-11-14
            """)

    @OptionGroup var evaluation: EvaluationOptions
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let outcome: (Int32, String)
        do {
            let db = try connection.connect()
            var evaluator = Evaluator(connection: db)
            evaluator.policy = try evaluation.policy()
            let assessments = try evaluator.assessOnly(asOf: try evaluation.date() ?? .today()).map(\.2)
            outcome = Self.verdict(assessments)
        } catch {
            outcome = (3, "PLEDGEWATCH UNKNOWN - \(FreeText.visible(Failure.describe(error).0))")
        }
        do {
            try Render.line(outcome.1)
        } catch {
            // A plugin line nobody can read is UNKNOWN, whatever the pledges' state: said on stderr.
            try? StandardStream.error.write("pledgewatch: \(error)\n")
            throw ExitCode(3)
        }
        if outcome.0 != 0 { throw ExitCode(outcome.0) }
    }

    static func verdict(_ assessments: [Assessment]) -> (Int32, String) {
        let critical = assessments.filter { $0.status == .likelyMiss || $0.status == .missed }
        let warning = assessments.filter { $0.status == .atRisk || $0.status == .stalled }
        func list(_ items: [Assessment]) -> String { items.map { "\($0.pledgeID) \($0.status.rawValue)" }.joined(separator: ", ") }
        let perf = "| critical=\(critical.count) warning=\(warning.count) pledges=\(assessments.count)"
        if !critical.isEmpty { return (2, "PLEDGEWATCH CRITICAL - \(list(critical + warning)) \(perf)") }
        if !warning.isEmpty { return (1, "PLEDGEWATCH WARNING - \(list(warning)) \(perf)") }
        return (0, "PLEDGEWATCH OK - \(assessments.count) pledges, none at risk \(perf)")
    }
}
