import Foundation
import PledgeCore
import PropertyBased
import Testing

/// The fingerprint that tells a dashboard whether a stored assessment was made from the pledge as it is now.
@Suite("assessment inputs")
struct AssessmentInputsTests {
    static let start = CalendarDate(iso: "2023-03-20")!
    static let gaps = Gen.int(in: 1...90).array(of: 1...12)
    static let increments = Gen.int(in: 1...200_000).array(of: 12)

    static func pledge(target: Decimal = 1_000_000, deadline: String = "2024-03-31", status: PledgeStatus = .committed) -> Pledge {
        Pledge(
            publicID: "eu-1m-rounds", donor: "European Union", recipient: "Ukraine", title: "One million rounds",
            category: .military, unit: .count("rounds"), announcedOn: start, countsFrom: start, status: status, source: "", notes: "",
            terms: [
                PledgeTerms(
                    revision: 1, target: target, deadline: CalendarDate(iso: deadline)!, effectiveOn: start, reason: "announced",
                    recordedBy: "test")
            ])
    }

    /// The changes of a history: a positive increment after each gap.
    static func changes(gaps: [Int], increments: [Int]) -> [(date: CalendarDate, units: Int)] {
        var day = start
        return zip(gaps, increments).map { gap, increment in
            day = day.adding(days: gap)
            return (day, increment)
        }
    }

    static func timeline(_ changes: [(date: CalendarDate, units: Int)], asOf: CalendarDate) -> Timeline {
        Timeline(countsFrom: start, asOf: asOf, changes: changes.map { ($0.date, Decimal($0.units)) })
    }

    /// After every change a history can have, so each of them is in the timeline.
    static let asOf = CalendarDate(iso: "2030-01-01")!

    @Test("the same inputs give the same fingerprint, however the timeline was summed (Decimal or fixed point, in any order)")
    func deterministic() async {
        await propertyCheck(input: Self.gaps, Self.increments) { gaps, increments in
            let changes = Self.changes(gaps: gaps, increments: increments)
            let decimal = Self.timeline(changes, asOf: Self.asOf)
            // Tenths summed as fixed point: the same values, reached another way.
            let fixed = Timeline(
                countsFrom: Self.start, asOf: Self.asOf,
                fixedChanges: changes.reversed().map { ($0.date, FixedDecimal(units: Int64($0.units) * 10, scale: 1)!) })
            #expect(fixed == decimal)
            let one = AssessmentInputs.fingerprint(pledge: Self.pledge(), timeline: decimal, asOf: Self.asOf)
            #expect(one == AssessmentInputs.fingerprint(pledge: Self.pledge(), timeline: fixed, asOf: Self.asOf))
        }
    }

    @Test("any change to what an assessment is made from changes the fingerprint")
    func sensitive() async {
        await propertyCheck(input: Self.gaps, Self.increments, Gen.int(in: 0...11), Gen.int(in: 1...1_000)) { gaps, increments, at, extra in
            let changes = Self.changes(gaps: gaps, increments: increments)
            let index = at % changes.count
            let pledge = Self.pledge()
            let base = AssessmentInputs.fingerprint(pledge: pledge, timeline: Self.timeline(changes, asOf: Self.asOf), asOf: Self.asOf)
            func differs(_ pledge: Pledge, _ changes: [(date: CalendarDate, units: Int)], asOf: CalendarDate = Self.asOf, _ what: String) {
                let other = AssessmentInputs.fingerprint(pledge: pledge, timeline: Self.timeline(changes, asOf: asOf), asOf: asOf)
                #expect(other != base, "\(what)")
            }
            var more = changes
            more[index].units += extra
            differs(pledge, more, "a quantity")
            var later = changes
            later[index].date = later[index].date.adding(days: extra)
            differs(pledge, later, "a date")
            differs(pledge, changes + [(changes.last!.date.adding(days: extra), extra)], "one more entry")
            differs(pledge, changes + [(Self.asOf.adding(days: -1), 0)], "a day with a zero change (a void and its entry)")
            differs(pledge, Array(changes.dropLast()), "one entry fewer")
            differs(Self.pledge(target: 1_000_000 + Decimal(extra)), changes, "the target")
            differs(Self.pledge(deadline: "2024-04-01"), changes, "the deadline")
            differs(Self.pledge(status: .withdrawn), changes, "the commitment")
            differs(pledge, changes, asOf: Self.asOf.adding(days: extra), "the as-of day")
            var money = pledge
            money.unit = .currency("EUR")
            differs(money, changes, "the unit's scale")
        }
    }

    @Test("what no assessment reads leaves it alone: names, sources, notes, and terms that take effect after the as-of day")
    func indifferent() {
        let changes = Self.changes(gaps: [10, 40, 90], increments: [1_000, 20_000, 300_000])
        let timeline = Self.timeline(changes, asOf: Self.asOf)
        let pledge = Self.pledge()
        var renamed = pledge
        renamed.title = "Another title"
        renamed.donor = "Someone else"
        renamed.source = "https://example.org"
        renamed.notes = "a note"
        renamed.unit = .count("shells")
        renamed.terms.append(
            PledgeTerms(
                revision: 2, target: 2_000_000, deadline: CalendarDate(iso: "2025-03-31")!, effectiveOn: Self.asOf.adding(days: 1),
                reason: "later", recordedBy: "test"))
        #expect(
            AssessmentInputs.fingerprint(pledge: renamed, timeline: timeline, asOf: Self.asOf)
                == AssessmentInputs.fingerprint(pledge: pledge, timeline: timeline, asOf: Self.asOf))
    }

    @Test("fingerprints are stable across processes and releases: stored ones stay comparable")
    func pinned() {
        let timeline = Self.timeline([(CalendarDate(iso: "2023-11-14")!, 300_000)], asOf: CalendarDate(iso: "2023-11-14")!)
        #expect(AssessmentInputs.fingerprint(pledge: Self.pledge(), timeline: timeline, asOf: CalendarDate(iso: "2023-11-14")!) == -2_716_758_751_905_044_600)
    }

    @Test("the revision fingerprint: any input, the ledger revision or the day deliveries count from changes it; names do not")
    func revisionFingerprint() async {
        await propertyCheck(input: Gen.int(in: 0...1_000_000), Gen.int(in: 1...1_000)) { revision, extra in
            let pledge = Self.pledge()
            func fingerprint(_ pledge: Pledge, revision: Int = revision, asOf: CalendarDate = Self.asOf) -> Int64 {
                AssessmentInputs.revisionFingerprint(pledge: pledge, ledgerRevision: Int64(revision), asOf: asOf)
            }
            let base = fingerprint(pledge)
            #expect(fingerprint(pledge) == base)
            #expect(fingerprint(pledge, revision: revision + extra) != base, "the ledger revision")
            #expect(fingerprint(Self.pledge(target: 1_000_000 + Decimal(extra))) != base, "the target")
            #expect(fingerprint(Self.pledge(deadline: "2024-04-01")) != base, "the deadline")
            #expect(fingerprint(Self.pledge(status: .withdrawn)) != base, "the commitment")
            #expect(fingerprint(pledge, asOf: Self.asOf.adding(days: extra)) != base, "the as-of day")
            var later = pledge
            later.countsFrom = later.countsFrom.adding(days: extra)
            #expect(fingerprint(later) != base, "the day deliveries count from")
            var money = pledge
            money.unit = .currency("EUR")
            #expect(fingerprint(money) != base, "the unit's scale")
            var renamed = pledge
            renamed.title = "Another title"
            renamed.notes = "a note"
            #expect(fingerprint(renamed) == base)
            // Never the timeline fingerprint of the same inputs: the two are not interchangeable.
            #expect(base != AssessmentInputs.fingerprint(pledge: pledge, timeline: Timeline(points: []), asOf: Self.asOf))
        }
        // Pinned, as the timeline fingerprint is: stored ones stay comparable across releases (until `layout` changes).
        #expect(AssessmentInputs.revisionFingerprint(pledge: Self.pledge(), ledgerRevision: 3, asOf: CalendarDate(iso: "2023-11-14")!) == -3_734_848_940_874_645_845)
    }

    @Test("a stored policy reads back as written, and fields it lacks read as their defaults")
    func storedPolicy() throws {
        var policy = AssessmentPolicy()
        policy.likelyMissBelow = 0.25
        policy.atRiskBelow = 0.6
        policy.stalledAfterDays = 45
        policy.minimumDaysForVerdict = 12
        policy.projection.priorSigma = 0.7
        policy.projection.priorWeight = 3
        policy.projection.recencyHalfLifeDays = 90
        policy.projection.zeroIntervalShare = 0.01
        policy.projection.bootstrapMinimumIntervals = 6
        policy.projection.bootstrapRuns = 500
        policy.projection.bootstrapJitterSigma = 0.3
        policy.projection.seed = 7
        policy.projection.completionHorizonDays = 100
        #expect(try AssessmentPolicy(storedJSON: try policy.storedJSON()) == policy)
        #expect(try AssessmentPolicy(storedJSON: "{}") == AssessmentPolicy())
        var partial = AssessmentPolicy()
        partial.atRiskBelow = 0.9
        partial.projection.bootstrapRuns = 300
        #expect(try AssessmentPolicy(storedJSON: #"{"atRiskBelow":0.9,"projection":{"bootstrapRuns":300}}"#) == partial)
        #expect(throws: (any Error).self) { try AssessmentPolicy(storedJSON: #"{"atRiskBelow":"high"}"#) }
    }
}
