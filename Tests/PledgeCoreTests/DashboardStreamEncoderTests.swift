import Foundation
import PropertyBased
import Testing
import TestSupport

@testable import PledgeCore

private let jsonString = Gen<Character?>.element(of: RandomValues.characters).map { $0 ?? "a" }.string(of: 0...12)
/// Dates of every era the writer treats apart: years 0–9999 digit by digit, others padded.
private let anyDate = Gen.int(in: -1_000_000...3_000_000).map(CalendarDate.init(daysSinceEpoch:))
/// Quantities with up to 30 significant digits and exponents beyond ±18: the fast path and the fallback.
private let anyDecimal = zip(Gen.bool, Gen<Character?>.element(of: Array("0123456789")).map { $0 ?? "0" }.string(of: 1...30), Gen.int(in: -22...22))
    .map { negative, digits, exponent in
        Decimal(sign: negative ? .minus : .plus, exponent: exponent, significand: Decimal(plainText: digits)!)
    }

@Suite("dashboard stream encoder")
struct DashboardStreamEncoderTests {
    /// `value` as the document's encoder writes a string.
    func encoded(_ value: String) throws -> Data {
        let whole = try DashboardDocument.encoder.encode([value])
        // `[\n  "…"\n]`
        return whole.dropFirst(4).dropLast(2)
    }

    @Test("strings are written exactly as the document's encoder writes them, escapes included")
    func strings() async throws {
        await propertyCheck(count: 500, input: jsonString) { value in
            var bytes: [UInt8] = []
            try JSONByteWriter.appendString(value, to: &bytes)
            #expect(Data(bytes) == (try encoded(value)), "\(value.debugDescription)")
        }
    }

    /// A document whose entries have timelines of every size, odd dates and quantities in the points, and titles that
    /// spell out the timeline key, streamed in batches of every size: always the whole document's bytes.
    @Test("entries streamed in batches of any size give the bytes of the whole document")
    func entries() async throws {
        let titles = ["Plain", "A title with \"timeline\" : [ in it", "New\nline      \"timeline\" : [\n\n      ]", "/ é 🇺🇦"]
        let points = zip(anyDate, anyDecimal, Gen.bool).map { DashboardDocument.TimelinePoint(date: $0, cumulative: $1, assumed: $2) }
        let timelines = points.array(of: 0...4).array(of: 1...6)
        await propertyCheck(count: 200, input: timelines, Gen.int(in: 1...4)) { timelines, batchSize in
            let entries = try timelines.enumerated().map { index, timeline in
                try Self.entry(id: "p-\(index)", title: titles[index % titles.count], timeline: timeline)
            }
            let document = DashboardDocument(
                generatedAt: "2023-11-14T06:00:00Z", asOf: "2023-11-14", reportingCurrency: "EUR",
                summary: .init(pledges: entries.count, byStatus: [:], byDonor: [], byCategory: [], unconverted: [], firingAlerts: 0, pendingAlerts: 0),
                pledges: entries, alerts: [])
            #expect(try Self.streamed(document, batchSize: batchSize) == Self.whole(document))
        }
    }

    /// Every field random: odd strings and keys, missing optionals, doubles of every form, empty and full
    /// lists and objects; alerts too; streamed in batches of any size. The stream encoder writes entries and
    /// alerts itself, so this is what holds its layout to the encoder's, field by field.
    @Test("entries and alerts with random fields stream as the encoder writes the whole document")
    func randomFields() async throws {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 1...4)) { seed, batchSize in
            // Pieces from a byte (every item split up) to the default size (none).
            let pieceSize = [1, 7, 300, DashboardStreamEncoder.defaultPieceSize][Int(seed % 4)]
            var random = RandomValues(seed: seed)
            let document = try Self.randomDocument(&random, entries: 6, alerts: 5)
            #expect(try Self.streamed(document, batchSize: batchSize, pieceSize: pieceSize) == Self.whole(document), "seed \(seed)")
        }
    }

    /// The document streamed: its alerts, then its entries, `batchSize` at a time, their bytes handed on in
    /// pieces of `pieceSize` (a piece at most one item larger).
    static func streamed(
        _ document: DashboardDocument, batchSize: Int, pieceSize: Int = DashboardStreamEncoder.defaultPieceSize
    ) throws -> Data {
        func batches<Item>(_ items: [Item]) -> [[Item]] {
            stride(from: 0, to: items.count, by: batchSize).map { Array(items[$0..<min($0 + batchSize, items.count)]) }
        }
        var streamer = DashboardStreamEncoder(
            generatedAt: document.generatedAt, asOf: document.asOf, reportingCurrency: document.reportingCurrency,
            pieceSize: pieceSize)
        var streamed = try streamer.begin()
        func collect(_ piece: UnsafeRawBufferPointer) {
            // Nothing empty is handed on.
            #expect(piece.count > 0)
            streamed.append(contentsOf: piece)
        }
        for batch in batches(document.alerts) { try streamer.alerts(batch, to: collect) }
        streamed.append(try streamer.beginPledges())
        for batch in batches(document.pledges) { try streamer.entries(batch, to: collect) }
        streamed.append(try streamer.end(summary: document.summary))
        return streamed
    }

    /// The whole document as the encoder writes it, with the final newline.
    static func whole(_ document: DashboardDocument) throws -> Data {
        var whole = try DashboardDocument.encoder.encode(document)
        whole.append(0x0A)
        return whole
    }

    @Test("the daemon's bodies (the document, the pledge list from its contents, the alert list) are the encoder's bytes, empty lists too")
    func renderings() async throws {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var random = RandomValues(seed: seed)
            let document = try Self.randomDocument(&random, entries: 5, alerts: 4)
            let (entries, alerts) = (document.pledges, document.alerts)
            func encoded<T: Encodable>(_ value: T) throws -> Data { try DashboardDocument.encoder.encode(value) + [0x0A] }
            let rendered = try DashboardRendering.dashboard(document)
            #expect(rendered.bytes == (try Self.whole(document)), "seed \(seed)")
            // The pledge list: the document's pledge-list contents in the list's frame.
            let frame = try DashboardRendering.pledgeListFrame()
            #expect(
                frame.head + rendered.bytes[rendered.pledges] + frame.tail == (try encoded(DashboardRendering.PledgeList(items: entries))),
                "seed \(seed)")
            #expect(try DashboardRendering.alertList(alerts) == encoded(DashboardRendering.AlertList(alerts: alerts)), "seed \(seed)")
        }
        // The list bodies' shape, spelled out once.
        let empty = String(decoding: try DashboardRendering.alertList([]), as: UTF8.self)
        #expect(empty == "{\n  \"alerts\" : [\n\n  ],\n  \"apiVersion\" : \"pledgewatch/v1\",\n  \"kind\" : \"AlertList\"\n}\n")
    }

    @Test("a value the encoder refuses (not finite) is refused")
    func notFinite() throws {
        var writer = JSONByteWriter(depth: 0, innermostIsEmpty: true)
        #expect(throws: EncodingError.self) { try writer.double(.nan) }
        #expect(throws: EncodingError.self) { try writer.double(-.infinity) }
    }

    /// A document of fewer than `entries` random entries and `alerts` random alerts.
    static func randomDocument(_ random: inout RandomValues, entries: Int, alerts: Int) throws -> DashboardDocument {
        let entries = try (0..<random.below(entries)).map { _ in try Self.randomEntry(&random) }
        let alerts = (0..<random.below(alerts)).map { _ in Self.randomAlert(&random) }
        return DashboardDocument(
            generatedAt: "2023-11-14T06:00:00Z", asOf: "2023-11-14", reportingCurrency: "EUR",
            summary: .init(
                pledges: entries.count, byStatus: ["met": 1], byDonor: [], byCategory: [], unconverted: [],
                firingAlerts: alerts.count, pendingAlerts: 0),
            pledges: entries, alerts: alerts)
    }

    static func randomEntry(_ random: inout RandomValues) throws -> DashboardDocument.PledgeEntry {
        func terms() -> [String: Any] {
            ["revision": random.int(), "target": random.string(), "deadline": random.string(), "effectiveOn": random.string()]
        }
        let decoded = try JSONDecoder().decode(AssessmentSummary.self, from: JSONSerialization.data(withJSONObject: random.assessmentJSON()))
        let timeline = (0..<random.below(4)).map { _ in
            DashboardDocument.TimelinePoint(
                date: CalendarDate(daysSinceEpoch: random.below(4_000_000) - 1_000_000),
                cumulative: Decimal(sign: random.chance() ? .minus : .plus, exponent: random.below(41) - 20, significand: Decimal(random.next())),
                assumed: random.chance())
        }
        let termsDecoder = JSONDecoder()
        return DashboardDocument.PledgeEntry(
            id: random.string(), donor: random.string(), recipient: random.string(), title: random.string(),
            category: random.string(), unit: random.string(), unitKind: random.string(), commitment: random.string(),
            status: random.string(), announcedOn: random.string(), countsFrom: random.string(), source: random.string(),
            originalTerms: try termsDecoder.decode(DashboardDocument.Terms.self, from: JSONSerialization.data(withJSONObject: terms())),
            currentTerms: try termsDecoder.decode(DashboardDocument.Terms.self, from: JSONSerialization.data(withJSONObject: terms())),
            assessment: .summary(decoded), assessmentSource: random.string(), timeline: timeline, openAlerts: random.strings())
    }

    static func randomAlert(_ random: inout RandomValues) -> DashboardDocument.AlertEntry {
        DashboardDocument.AlertEntry(
            status: random.string(), labels: random.dictionary(), annotations: random.dictionary(), startsAt: random.string(),
            endsAt: random.string(), generatorURL: random.string(), fingerprint: random.string(), silenced: random.chance())
    }

    /// An entry decoded from JSON, so every field is set as a reader would see it.
    static func entry(id: String, title: String, timeline: [DashboardDocument.TimelinePoint]) throws -> DashboardDocument.PledgeEntry {
        let assessment: [String: Any] = [
            "pledge": id, "asOf": "2023-11-14", "status": "likely_miss", "statusReason": "r", "target": "1000000",
            "deadline": "2024-03-20", "delivered": "300000", "remaining": "700000", "percent": "30.0", "daysLeft": 127,
            "requiredRatePerDay": "5511.81", "observedRatePerDay": "1296.50", "paceRatio": 4.0412,
            "projectedTotalAtDeadline": ["p10": "1", "p50": "2", "p90": "3"], "shortfall": "526778", "probabilityOnTime": 0.06,
            "completion": ["p10": "2024-06-01", "p50": NSNull(), "p90": NSNull()], "method": "bootstrap",
            "alternatives": ["run_rate": "473222"], "observations": 5, "spanDays": 239, "grade": "B", "gradeReasons": ["few reports"],
        ]
        let terms: [String: Any] = ["revision": 1, "target": "1000000", "deadline": "2024-03-20", "effectiveOn": "2023-03-20"]
        let entry: [String: Any] = [
            "id": id, "donor": "EU", "recipient": "Ukraine", "title": title, "category": "military", "unit": "rounds",
            "unitKind": "count", "commitment": "committed", "status": "likely_miss", "announcedOn": "2023-03-20",
            "countsFrom": "2023-03-20", "source": "https://example.org/a/b", "originalTerms": terms, "currentTerms": terms,
            "assessment": assessment, "assessmentSource": "evaluation", "timeline": [], "openAlerts": ["abc"],
        ]
        let decoded = try JSONDecoder().decode(DashboardDocument.PledgeEntry.self, from: JSONSerialization.data(withJSONObject: entry))
        return DashboardDocument.PledgeEntry(
            id: decoded.id, donor: decoded.donor, recipient: decoded.recipient, title: decoded.title, category: decoded.category,
            unit: decoded.unit, unitKind: decoded.unitKind, commitment: decoded.commitment, status: decoded.status,
            announcedOn: decoded.announcedOn, countsFrom: decoded.countsFrom, source: decoded.source, originalTerms: decoded.originalTerms,
            currentTerms: decoded.currentTerms, assessment: decoded.assessment, assessmentSource: decoded.assessmentSource,
            timeline: timeline, openAlerts: decoded.openAlerts)
    }
}
