import PledgeCore
import PledgeStore

/// Loads the article's pledges and reported figures; running it again changes nothing.
extension Administration {
    public struct SeedSummary: Sendable, Equatable {
        public var pledgesAdded = 0
        public var reportsAdded = 0
    }

    public func seed() throws -> SeedSummary {
        var summary = SeedSummary()
        for entry in try SeedData.entries() {
            if try pledges.add(entry.pledge, by: actor, ifAbsent: true) == .created { summary.pledgesAdded += 1 }
            if let report = entry.reportedTotal {
                let recorded = try ledger.reportTotal(
                    pledgeID: entry.pledge.publicID, total: report.total, asOf: try CalendarDate.parse(report.asOf, field: "as-of"),
                    source: report.source, idempotencyKey: "seed:\(entry.pledge.publicID):\(report.asOf)", by: actor, today: today)
                if recorded.created { summary.reportsAdded += 1 }
            }
        }
        return summary
    }
}
