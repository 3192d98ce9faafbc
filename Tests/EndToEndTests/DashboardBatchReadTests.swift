import Foundation
import Testing
import TestSupport

@testable import PledgeCore
@testable import PledgeStore
@testable import Postgres

/// A dashboard reads each batch of pledges by one statement (`DashboardBatchRepository`): what it gives
/// must be what the repositories that each read one part give.
@Suite("a dashboard batch's single read")
struct DashboardBatchReadTests {
    @Test("timelines (only those asked for), the run's stored assessments and burn-ups, and the open alerts' fingerprints (by rule, in byte order) as each repository reads them")
    func sameAsEachPart() throws {
        try ScratchDatabase.with { db in
            #expect(try Pledgewatch.run(["seed"], database: db.conninfo).status == 0)
            for _ in 0..<2 { #expect(try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo).status == 0) }
            let connection = try db.connect()
            // Two more alerts for one pledge, whose rules sort the other way round from their fingerprints,
            // and an inactive one that is not open.
            try connection.execute(
                """
                INSERT INTO alert (fingerprint, pledge_id, rule, state, labels, annotations)
                SELECT f, p.id, r, s, '{}', '{}' FROM pledge p,
                       (VALUES ('0000000000000001', 'stalled', 'pending'), ('ffffffffffffffff', 'at_risk', 'firing'),
                               ('0000000000000002', 'met', 'inactive')) AS extra (f, r, s)
                WHERE p.public_id = 'de-8bn-2024'
                """)
            let asOf = CalendarDate(iso: "2023-11-14")!
            let pledges = try PledgeRepository(connection).list(asOf: asOf)
            let run = try #require(try AssessmentRepository(connection).latestRun())
            let all = Set(pledges.map(\.publicID))
            let batch = try DashboardBatchRepository(connection).start(for: pledges, timelines: all, asOf: asOf, runID: run.runID).batch()
            // Timelines for none: the stored parts alone, the same.
            let storedOnly = try DashboardBatchRepository(connection).start(for: pledges, timelines: [], asOf: asOf, runID: run.runID).batch()
            let states = try DashboardBatchRepository(connection).ledgerState(runID: run.runID)
            let timelines = try TimelineRepository(connection).timelines(for: pledges, asOf: asOf)
            let stored = try AssessmentRepository(connection).summaries(runID: run.runID)
            let open = try connection.query(
                """
                SELECT p.public_id, a.rule, a.fingerprint FROM alert a JOIN pledge p ON p.id = a.pledge_id
                WHERE a.state IN ('pending', 'firing')
                """
            ).decode((String, String, String).self)
            #expect(pledges.count == 4)
            #expect(open.count >= 3)
            for pledge in pledges {
                #expect(try batch.timeline(for: pledge) == timelines[pledge.publicID], "\(pledge.publicID)")
                let read = try #require(try batch.stored(for: pledge), "\(pledge.publicID)")
                #expect(read.summary == stored[pledge.publicID]?.summary && read.inputs == stored[pledge.publicID]?.inputs)
                #expect(try storedOnly.timeline(for: pledge).points.count == 1, "no timeline read: the anchor alone")
                // What a document copies: the JSON the run stored, the figures beside it, the burn-up it kept of
                // the timeline it read (the ledger has not changed since), and inputs that still hold.
                let copied = try #require(try storedOnly.storedForCopying(for: pledge))
                #expect(copied.summary.json == read.summary.compactJSON)
                #expect(copied.summary.status == read.summary.status)
                #expect(Decimal(plainText: copied.summary.delivered) == Decimal(plainText: read.summary.delivered))
                #expect(copied.burnUp == BurnUp.points(try #require(timelines[pledge.publicID]).points))
                let state = try #require(states[pledge.publicID])
                #expect(state.storedBurnUp)
                #expect(state.storedInputs == AssessmentInputs.revisionFingerprint(pledge: pledge, ledgerRevision: state.revision, asOf: asOf))
                let expected = open.filter { $0.0 == pledge.publicID }.sorted { $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }.map(\.2)
                #expect(try batch.openAlerts(for: pledge) == expected, "\(pledge.publicID)")
            }
            let germany = try #require(pledges.first { $0.publicID == "de-8bn-2024" })
            #expect(Array(try batch.openAlerts(for: germany).suffix(2)) == ["ffffffffffffffff", "0000000000000001"], "at_risk before stalled")

            // Without a run: no stored assessments, the rest the same.
            let unrun = try DashboardBatchRepository(connection).start(for: pledges, timelines: all, asOf: asOf, runID: nil).batch()
            for pledge in pledges {
                #expect(try unrun.stored(for: pledge) == nil)
                #expect(try unrun.timeline(for: pledge) == timelines[pledge.publicID])
            }
            // No pledges: no statement, nothing read.
            #expect(try DashboardBatchRepository(connection).start(for: [], timelines: all, asOf: asOf, runID: run.runID).batch().rows.isEmpty)
        }
    }

    @Test("a fingerprint that is not sixteen hexadecimal digits is a decoding error naming the pledge")
    func malformedFingerprint() throws {
        let day = CalendarDate(iso: "2023-03-20")!
        let pledge = Pledge(
            publicID: "eu-1m-rounds", donor: "EU", recipient: "Ukraine", title: "rounds", category: .military,
            unit: try PledgeUnit.parse("rounds"), announcedOn: day, countsFrom: day, status: .committed, source: "", notes: "",
            terms: [PledgeTerms(revision: 1, target: 1_000_000, deadline: CalendarDate(iso: "2024-03-31")!, effectiveOn: day, reason: "", recordedBy: "test")])
        for text in ["{\"a b\"}", "{8c174a173c18e85}", "{8C174A173C18E850}", "{8c174a173c18e850,NULL}"] {
            let batch = DashboardBatch(
                rows: ["eu-1m-rounds": DashboardBatch.Row(arrays: nil, stored: nil, fingerprints: text)], asOf: CalendarDate(iso: "2024-01-01")!)
            let error = #expect(throws: PostgresError.self) { try batch.openAlerts(for: pledge) }
            #expect(error?.message.contains("eu-1m-rounds") == true, "\(text)")
        }
        let good = DashboardBatch(
            rows: ["eu-1m-rounds": DashboardBatch.Row(arrays: nil, stored: nil, fingerprints: "{8c174a173c18e850,0000000000000001}")],
            asOf: CalendarDate(iso: "2024-01-01")!)
        #expect(try good.openAlerts(for: pledge) == ["8c174a173c18e850", "0000000000000001"])
    }
}
