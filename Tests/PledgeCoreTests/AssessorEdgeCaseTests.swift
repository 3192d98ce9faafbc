import Foundation
import PropertyBased
@testable import PledgeCore
import Testing

@Suite("assessor edge cases")
struct AssessorEdgeCaseTests {
    typealias Fixture = ProjectionAcceptanceTests
    static func d(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    func assess(_ changes: [(String, Decimal)], asOf: String, pledge: Pledge = Fixture.pledge()) -> Assessment {
        Assessor().assess(pledge: pledge, timeline: Fixture.timeline(changes, asOf: asOf), asOf: Self.d(asOf))
    }

    @Test("a pledge already met completes on the day its total last reached the target, whichever method is the headline")
    func completionOfMetPledge() {
        let pledge = Fixture.pledge(target: 1_000, deadline: "2024-12-31")
        let six: [(String, Decimal)] = [
            ("2024-01-10", 200), ("2024-01-20", 200), ("2024-01-30", 200), ("2024-02-10", 200), ("2024-02-20", 200), ("2024-03-01", 50),
        ]
        let bootstrap = assess(six, asOf: "2024-06-01", pledge: pledge)
        #expect(bootstrap.method == "block_bootstrap")
        #expect(bootstrap.status == .met)
        #expect(bootstrap.completion == Quantiles(p10: Self.d("2024-02-20"), p50: Self.d("2024-02-20"), p90: Self.d("2024-02-20")))
        let logRate = assess([("2024-01-10", 400), ("2024-02-20", 600), ("2024-03-01", 50)], asOf: "2024-06-01", pledge: pledge)
        #expect(logRate.method == "log_rate")
        #expect(logRate.completion.p50 == Self.d("2024-02-20"))
        // Reached, taken back below by a correction, reached again: the day it came back.
        let dipped = assess([("2024-01-10", 1_000), ("2024-02-01", -100), ("2024-03-10", 200)], asOf: "2024-06-01", pledge: pledge)
        #expect(dipped.completion.p50 == Self.d("2024-03-10"))
        #expect(dipped.completion.p90 == Self.d("2024-03-10"))
        // Not met: the projection's dates, later than the as-of day.
        let open = assess([("2024-01-10", 400)], asOf: "2024-06-01", pledge: pledge)
        #expect((open.completion.p50 ?? Self.d("2099-01-01")) > Self.d("2024-06-01"))
    }

    @Test("the day a target was met: the first day of the last stretch at or above it, over random ledgers with dips")
    func metOnMatchesForwardScan() async {
        await propertyCheck(
            count: 300, input: Gen.int(in: 1...30).array(of: 0...15), Gen.int(in: -300...600).array(of: 15), Gen.int(in: 0...3_000)
        ) { gaps, changes, target in
            var day = Self.d("2024-01-01")
            var entries: [(date: CalendarDate, change: Decimal)] = []
            for (gap, change) in zip(gaps, changes) {
                day = day.adding(days: gap)
                entries.append((day, Decimal(change)))
            }
            let timeline = Timeline(countsFrom: Self.d("2024-01-01"), asOf: day, changes: entries)
            // The reference: forward, forgetting the day whenever the total drops below the target again.
            var reached: CalendarDate?
            for point in timeline.points {
                if point.cumulative < Decimal(target) { reached = nil } else if reached == nil { reached = point.date }
            }
            let found = Assessor.metOn(timeline, target: Decimal(target))
            #expect(found == reached.map { Quantiles(p10: $0, p50: $0, p90: $0) })
        }
    }

    @Test("no deliveries: insufficient data early on, stalled once behind for long enough")
    func noDeliveries() {
        let early = assess([], asOf: "2023-04-01")
        #expect(early.status == .insufficientData)
        #expect(early.delivered == 0)
        #expect(early.grade == .d)
        let late = assess([], asOf: "2023-08-01")
        #expect(late.status == .stalled)
    }

    @Test("the grade is one lower when the horizon is longer than the observed span, and D stays D")
    func gradeLoweredForLongHorizon() {
        let reports: [(String, Decimal)] = [
            ("2023-04-20", 50_000), ("2023-06-20", 50_000), ("2023-08-20", 50_000), ("2023-10-20", 50_000), ("2023-12-20", 50_000),
        ]
        // Five reports over 275 days: A when the deadline is near…
        let near = assess(reports, asOf: "2023-12-20", pledge: Fixture.pledge(deadline: "2024-03-31"))
        #expect(near.grade == .a, "\(near.gradeReasons)")
        // …and B when the deadline is further away than the span observed.
        let far = assess(reports, asOf: "2023-12-20", pledge: Fixture.pledge(deadline: "2025-12-31"))
        #expect(far.grade == .b, "\(far.gradeReasons)")
        #expect(far.gradeReasons.contains { $0.contains("longer than the observed span") })
        let single = assess([("2023-04-20", 50_000)], asOf: "2023-04-20", pledge: Fixture.pledge(deadline: "2025-12-31"))
        #expect(single.grade == .d)
    }

    @Test("a delivery on the day counting starts is an interval the rate models see, not a zero-day step")
    func deliveryOnFirstDay() {
        let timeline = Fixture.timeline([("2023-03-20", 100_000), ("2023-04-19", 50_000)], asOf: "2023-04-19")
        #expect(timeline.intervals.map(\.days) == [1, 30])
        #expect(timeline.intervals.map(\.increment).reduce(0, +) == 150_000)
        #expect(timeline.delivered == 150_000)
        // Without a delivery on that day the anchor stays on it.
        let later = Fixture.timeline([("2023-03-21", 100_000)], asOf: "2023-04-19")
        #expect(later.points.first?.date == Self.d("2023-03-20"))
        #expect(later.intervals.map(\.days) == [1])
    }

    @Test("met before the deadline is met, with P(on time) 1 and no shortfall")
    func metEarly() {
        let a = assess([("2023-06-01", 600_000), ("2023-09-01", 400_000)], asOf: "2023-10-01")
        #expect(a.status == .met)
        #expect(a.remaining == 0)
        #expect(a.shortfall == 0)
        #expect(a.probabilityOnTime == 1)
    }

    @Test("deadline passed and missed is missed; as-of equal to the deadline counts that day's delivery")
    func deadlinePassed() {
        #expect(assess([("2023-11-14", 300_000)], asOf: "2024-04-01").status == .missed)
        #expect(assess([("2023-11-14", 300_000)], asOf: "2024-03-31").status == .missed)
        let onTheDay = assess([("2023-11-14", 300_000), ("2024-03-31", 700_000)], asOf: "2024-03-31")
        #expect(onTheDay.status == .met)
        #expect(onTheDay.daysLeft == 0)
    }

    @Test("a delivery after the as-of date is not seen (backtesting)")
    func backtesting() {
        let a = assess([("2023-11-14", 300_000), ("2024-01-31", 180_000)], asOf: "2023-12-01")
        #expect(a.delivered == 300_000)
    }

    @Test("zero-delivery intervals and reversals keep the forecast finite and pessimistic")
    func zerosAndReversals() {
        let a = assess(
            [("2023-05-01", 100_000), ("2023-06-01", 0), ("2023-07-01", -20_000), ("2023-08-01", 0), ("2023-09-01", 50_000), ("2023-10-01", 0)],
            asOf: "2023-10-01")
        #expect(a.delivered == 130_000)
        #expect(a.method == "block_bootstrap")
        #expect((a.probabilityOnTime ?? 1) < 0.5)
        #expect(a.projectedTotal.p50.isFinite)
        #expect(a.projectedTotal.p90 <= a.projectedTotal.p10)
    }

    @Test("an amended deadline applies from its effective date")
    func amendedTerms() {
        var pledge = Fixture.pledge()
        pledge.terms.append(
            PledgeTerms(revision: 2, target: 1_000_000, deadline: Self.d("2024-12-31"), effectiveOn: Self.d("2024-01-31"), reason: "", recordedBy: "t"))
        let before = assess([("2023-11-14", 300_000)], asOf: "2024-01-30", pledge: pledge)
        let after = assess([("2023-11-14", 300_000)], asOf: "2024-02-01", pledge: pledge)
        #expect(before.deadline == Self.d("2024-03-31"))
        #expect(after.deadline == Self.d("2024-12-31"))
        #expect((after.probabilityOnTime ?? 0) > (before.probabilityOnTime ?? 1))
    }

    @Test("figures of 10^12 stay exact where they are quantities, finite where they are projections")
    func hugeFigures() {
        let pledge = Fixture.pledge(target: Decimal(string: "5000000000000")!, unit: .currency("EUR"))
        let a = assess([("2023-06-01", Decimal(string: "1000000000000.55")!)], asOf: "2023-11-14", pledge: pledge)
        #expect(a.delivered == Decimal(string: "1000000000000.55")!)
        #expect(a.remaining == Decimal(string: "3999999999999.45")!)
        #expect(a.projectedTotal.p50.isFinite)
        #expect((0...1).contains(a.probabilityOnTime ?? -1))
    }

    @Test("proposed pledges are not binding; withdrawn ones are withdrawn")
    func notBinding() {
        #expect(assess([("2023-11-14", 300_000)], asOf: "2023-11-14", pledge: Fixture.pledge(status: .proposed)).status == .notBinding)
        #expect(assess([("2023-11-14", 300_000)], asOf: "2023-11-14", pledge: Fixture.pledge(status: .withdrawn)).status == .withdrawn)
    }

    @Test("thresholds are configurable: a lenient policy turns likely_miss into at_risk")
    func configurableThresholds() {
        var policy = AssessmentPolicy()
        policy.likelyMissBelow = 0.01
        policy.atRiskBelow = 0.9
        let a = Assessor(policy: policy).assess(
            pledge: Fixture.pledge(), timeline: Fixture.timeline([("2023-11-14", 300_000)], asOf: "2023-11-14"), asOf: Self.d("2023-11-14"))
        #expect(a.status == .atRisk)
    }

    @Test("on pace: a steady pledge well ahead is on_track")
    func onTrack() {
        let a = assess([("2023-05-01", 200_000), ("2023-07-01", 250_000), ("2023-09-01", 260_000)], asOf: "2023-09-01")
        #expect(a.status == .onTrack)
        #expect((a.paceRatio ?? 0) > 1)
    }
}

@Suite("the alert lifecycle")
struct AlertLifecycleTests {
    @Test("pending, then firing after two evaluations, resolved after two clear ones; flaps are damped")
    func lifecycle() {
        let machine = AlertStateMachine()
        var alert = AlertStateMachine.Alert()
        var notifications: [AlertStateMachine.Notification?] = []
        for active in [true, true, true, false, true, false, false, false] {
            let (next, note) = machine.step(alert, active: active)
            alert = next
            notifications.append(note)
        }
        #expect(notifications == [nil, .firing, nil, nil, nil, nil, .resolved, nil])
        #expect(alert.state == .inactive)
    }

    @Test("a condition that clears while pending never notifies")
    func pendingClears() {
        let machine = AlertStateMachine()
        let (pending, first) = machine.step(.init(), active: true)
        let (cleared, second) = machine.step(pending, active: false)
        #expect(pending.state == .pending)
        #expect(first == nil && second == nil)
        #expect(cleared.state == .inactive)
    }

    @Test("the fingerprint depends on the label set, not on its order")
    func fingerprint() {
        let labels = AlertRule.likelyMiss.labels(pledgeID: "eu-1m-rounds", donor: "European Union")
        #expect(AlertRule.fingerprint(labels) == AlertRule.fingerprint(Dictionary(uniqueKeysWithValues: labels.reversed().map { ($0.key, $0.value) })))
        #expect(AlertRule.fingerprint(labels) != AlertRule.fingerprint(AlertRule.missed.labels(pledgeID: "eu-1m-rounds", donor: "European Union")))
        #expect(AlertRule.fingerprint(labels).count == 16)
        // Pinned: stored alerts are keyed by it, so it may never change (this one was stored by an evaluation).
        #expect(AlertRule.fingerprint(AlertRule.likelyMiss.labels(pledgeID: "p-001117", donor: "Donor 18")) == "000e3b6d7442fb6b")
    }
}
