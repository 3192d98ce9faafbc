import Foundation
import PropertyBased
import Testing

@testable import PledgeCore

/// Characters the encoder writes raw, escapes by name, escapes as \u, or must keep as multi-byte UTF-8.
private let jsonCharacters: [Character] = ["a", "0", "-", ".", " ", "/", "\"", "\\", "\n", "\r", "\t", "\u{1}", "\u{1F}", "\u{7F}", "é", "\u{2028}", "🇺🇦"]
private let jsonString = Gen<Character?>.element(of: jsonCharacters).map { $0 ?? "a" }.string(of: 0...12)

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
            try DashboardStreamEncoder.appendString(value, to: &bytes)
            #expect(Data(bytes) == (try encoded(value)), "\(value.debugDescription)")
        }
    }

    /// A document whose entries have timelines of every size, odd strings in the points, and titles that
    /// spell out the timeline key, streamed in batches of every size: always the whole document's bytes.
    @Test("entries streamed in batches of any size give the bytes of the whole document")
    func entries() async throws {
        let titles = ["Plain", "A title with \"timeline\" : [ in it", "New\nline      \"timeline\" : [\n\n      ]", "/ é 🇺🇦"]
        let points = zip(jsonString, jsonString, Gen.bool).map { DashboardDocument.TimelinePoint(date: $0, cumulative: $1, assumed: $2) }
        let timelines = points.array(of: 0...4).array(of: 1...6)
        await propertyCheck(count: 200, input: timelines, Gen.int(in: 1...4)) { timelines, batchSize in
            let entries = try timelines.enumerated().map { index, timeline in
                try Self.entry(id: "p-\(index)", title: titles[index % titles.count], timeline: timeline)
            }
            let document = DashboardDocument(
                generatedAt: "2023-11-14T06:00:00Z", asOf: "2023-11-14", reportingCurrency: "EUR",
                summary: .init(pledges: entries.count, byStatus: [:], byDonor: [], byCategory: [], unconverted: [], firingAlerts: 0, pendingAlerts: 0),
                pledges: entries, alerts: [])
            var streamer = DashboardStreamEncoder(generatedAt: document.generatedAt, asOf: document.asOf, reportingCurrency: "EUR")
            var streamed = try streamer.begin()
            streamed.append(try streamer.beginPledges())
            for start in stride(from: 0, to: entries.count, by: batchSize) {
                streamed.append(try streamer.entries(Array(entries[start..<min(start + batchSize, entries.count)])))
            }
            streamed.append(try streamer.end(summary: document.summary))
            var whole = try DashboardDocument.encoder.encode(document)
            whole.append(0x0A)
            #expect(streamed == whole)
        }
    }

    /// Every field random: odd strings and keys, missing optionals, doubles of every form, empty and full
    /// lists and objects; alerts too; streamed in batches of any size. The stream encoder writes entries and
    /// alerts itself, so this is what holds its layout to the encoder's, field by field.
    @Test("entries and alerts with random fields stream as the encoder writes the whole document")
    func randomFields() async throws {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 1...4)) { seed, batchSize in
            var random = SplitMix(seed: seed)
            let entries = try (0..<random.below(6)).map { _ in try Self.randomEntry(&random) }
            let alerts = (0..<random.below(5)).map { _ in Self.randomAlert(&random) }
            let document = DashboardDocument(
                generatedAt: "2023-11-14T06:00:00Z", asOf: "2023-11-14", reportingCurrency: "EUR",
                summary: .init(
                    pledges: entries.count, byStatus: ["met": 1], byDonor: [], byCategory: [], unconverted: [],
                    firingAlerts: alerts.count, pendingAlerts: 0),
                pledges: entries, alerts: alerts)
            var streamer = DashboardStreamEncoder(generatedAt: document.generatedAt, asOf: document.asOf, reportingCurrency: "EUR")
            var streamed = try streamer.begin()
            for start in stride(from: 0, to: alerts.count, by: batchSize) {
                streamed.append(try streamer.alerts(Array(alerts[start..<min(start + batchSize, alerts.count)])))
            }
            streamed.append(try streamer.beginPledges())
            for start in stride(from: 0, to: entries.count, by: batchSize) {
                streamed.append(try streamer.entries(Array(entries[start..<min(start + batchSize, entries.count)])))
            }
            streamed.append(try streamer.end(summary: document.summary))
            var whole = try DashboardDocument.encoder.encode(document)
            whole.append(0x0A)
            #expect(streamed == whole, "seed \(seed)")
        }
    }

    @Test("a value the encoder refuses (not finite) is refused")
    func notFinite() throws {
        var writer = JSONByteWriter(depth: 0, innermostIsEmpty: true)
        #expect(throws: EncodingError.self) { try writer.double(.nan) }
        #expect(throws: EncodingError.self) { try writer.double(-.infinity) }
    }

    /// SplitMix64: a seeded generator, so a failing case is reproduced from its seed.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func chance() -> Bool { next() & 1 == 0 }
        mutating func string() -> String {
            let characters: [Character] = jsonCharacters + ["A", "Z", "_", "b", "1"]
            return String((0..<below(8)).map { _ in characters[below(characters.count)] })
        }
        mutating func optionalString() -> Any { chance() ? string() : NSNull() }
        mutating func strings() -> [String] { (0..<below(4)).map { _ in string() } }
        mutating func dictionary() -> [String: String] {
            Dictionary((0..<below(5)).map { _ in (string(), string()) }, uniquingKeysWith: { first, _ in first })
        }
        mutating func int() -> Int { [0, -1, 7, 1_000_000, Int(Int32.max)][below(5)] &+ below(1_000) }
        /// nil, a rounded probability, whole numbers, tiny and huge magnitudes, or any finite bit pattern.
        mutating func double() -> Any {
            switch below(6) {
            case 0: return NSNull()
            case 1: return Double(below(10_001)) / 10_000
            case 2: return Double(below(1_000)) - 500
            case 3: return [1e-05, 1e-7, 1e16, 1.5e300, 4.0412, 0.06, -0.0][below(7)]
            default:
                let value = Double(bitPattern: next())
                return value.isFinite ? value : 0.5
            }
        }
    }

    static func randomEntry(_ random: inout SplitMix) throws -> DashboardDocument.PledgeEntry {
        let assessment: [String: Any] = [
            "pledge": random.string(), "asOf": random.string(), "status": random.string(), "statusReason": random.string(),
            "target": random.string(), "deadline": random.string(), "delivered": random.string(), "remaining": random.string(),
            "percent": random.string(), "daysLeft": random.int(), "requiredRatePerDay": random.optionalString(),
            "observedRatePerDay": random.string(), "paceRatio": random.double(),
            "projectedTotalAtDeadline": ["p10": random.string(), "p50": random.string(), "p90": random.string()],
            "shortfall": random.string(), "probabilityOnTime": random.double(),
            "completion": ["p10": random.optionalString(), "p50": random.optionalString(), "p90": random.optionalString()],
            "method": random.string(), "alternatives": random.dictionary(), "observations": random.int(),
            "spanDays": random.int(), "grade": random.string(), "gradeReasons": random.strings(),
        ]
        func terms() -> [String: Any] {
            ["revision": random.int(), "target": random.string(), "deadline": random.string(), "effectiveOn": random.string()]
        }
        let decoded = try JSONDecoder().decode(AssessmentSummary.self, from: JSONSerialization.data(withJSONObject: assessment))
        let timeline = (0..<random.below(4)).map { _ in
            DashboardDocument.TimelinePoint(date: random.string(), cumulative: random.string(), assumed: random.chance())
        }
        let termsDecoder = JSONDecoder()
        return DashboardDocument.PledgeEntry(
            id: random.string(), donor: random.string(), recipient: random.string(), title: random.string(),
            category: random.string(), unit: random.string(), unitKind: random.string(), commitment: random.string(),
            status: random.string(), announcedOn: random.string(), countsFrom: random.string(), source: random.string(),
            originalTerms: try termsDecoder.decode(DashboardDocument.Terms.self, from: JSONSerialization.data(withJSONObject: terms())),
            currentTerms: try termsDecoder.decode(DashboardDocument.Terms.self, from: JSONSerialization.data(withJSONObject: terms())),
            assessment: decoded, timeline: timeline, openAlerts: random.strings())
    }

    static func randomAlert(_ random: inout SplitMix) -> DashboardDocument.AlertEntry {
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
            "assessment": assessment, "timeline": [], "openAlerts": ["abc"],
        ]
        let decoded = try JSONDecoder().decode(DashboardDocument.PledgeEntry.self, from: JSONSerialization.data(withJSONObject: entry))
        return DashboardDocument.PledgeEntry(
            id: decoded.id, donor: decoded.donor, recipient: decoded.recipient, title: decoded.title, category: decoded.category,
            unit: decoded.unit, unitKind: decoded.unitKind, commitment: decoded.commitment, status: decoded.status,
            announcedOn: decoded.announcedOn, countsFrom: decoded.countsFrom, source: decoded.source, originalTerms: decoded.originalTerms,
            currentTerms: decoded.currentTerms, assessment: decoded.assessment, timeline: timeline, openAlerts: decoded.openAlerts)
    }
}
