import Foundation
import PledgeCore
import Testing

/// The article's numbers: the EU's million rounds as of 2023-11-14.
@Suite("projections on the article's data")
struct ProjectionAcceptanceTests {
    static func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    static func pledge(
        target: Decimal = 1_000_000, announced: String = "2023-03-20", deadline: String = "2024-03-31", status: PledgeStatus = .committed,
        unit: PledgeUnit = .count("rounds")
    ) -> Pledge {
        Pledge(
            publicID: "eu-1m-rounds", donor: "European Union", recipient: "Ukraine", title: "1M rounds", category: .military,
            unit: unit, announcedOn: date(announced), countsFrom: date(announced), status: status, source: "", notes: "",
            terms: [PledgeTerms(revision: 1, target: target, deadline: date(deadline), effectiveOn: date(announced), reason: "", recordedBy: "t")])
    }

    static func timeline(_ changes: [(String, Decimal)], from: String = "2023-03-20", asOf: String) -> Timeline {
        Timeline(countsFrom: date(from), asOf: date(asOf), changes: changes.map { (date($0.0), $0.1) })
    }

    @Test("EU 1M rounds on 2023-11-14: run-rate ≈ 473,000, required ≈ 4× observed, P(on time) < 0.1, likely_miss")
    func euMillionRounds() {
        let assessment = Assessor().assess(
            pledge: Self.pledge(), timeline: Self.timeline([("2023-11-14", 300_000)], asOf: "2023-11-14"), asOf: Self.date("2023-11-14"))
        #expect(assessment.status == .likelyMiss)
        #expect(assessment.daysLeft == 138)
        #expect(abs(assessment.observedRate - 300_000.0 / 239) < 0.01)
        #expect(abs((assessment.requiredRate ?? 0) - 700_000.0 / 138) < 0.01)
        #expect(abs(1 / (assessment.paceRatio ?? 1) - 4.04) < 0.01)
        let runRate = assessment.alternatives["run_rate"] ?? 0
        #expect(abs(runRate - 473_222) < 1)
        #expect((assessment.probabilityOnTime ?? 1) < 0.1)
        // The log-rate model by hand, with one interval: ln r ~ t(ν = 4; ln 1,255.23, 0.5·√2); the required rate is
        // 4.0411 times the observed, z = ln 4.0411 / 0.7071 = 1.975, and P(t₄ ≥ 1.975) = 0.0597. The 10th and
        // 90th percentiles of the total: t₀.₉ = 1.5332 makes the rate ×2.957 or ×0.338 (812,199 and 358,582).
        #expect(abs((assessment.probabilityOnTime ?? 1) - 0.0597) < 0.0005)
        #expect(abs(assessment.projectedTotal.p10 - 812_199) < 50)
        #expect(abs(assessment.projectedTotal.p90 - 358_582) < 50)
        #expect(assessment.method == "log_rate")
        #expect(assessment.grade == .d)
        #expect(assessment.delivered == 300_000)
        #expect(assessment.remaining == 700_000)
    }
}
