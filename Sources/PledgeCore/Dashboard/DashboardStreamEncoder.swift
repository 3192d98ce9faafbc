import Foundation

/// Writes a dashboard document piece by piece, producing exactly the bytes `DashboardDocument.encoder`
/// gives for the whole document (plus the final newline), so an export of any size needs the memory of
/// one batch, not of the document.
///
/// The keys are sorted: `alerts` comes first, then `apiVersion`, `asOf`, `generatedAt` and `kind`, then
/// `pledges`, then `reportingCurrency` and `summary`. So both lists can stream (the alerts, then the
/// entries, a batch at a time) and the summary is added up on the way:
///
///     begin() · alerts(…)* · beginPledges() · entries(…)* · end(summary:)
public struct DashboardStreamEncoder {
    private let encoder = DashboardDocument.encoder
    private let generatedAt: String
    private let asOf: String
    private let reportingCurrency: String
    private var alertCount = 0
    private var entryCount = 0
    private var beginning = Skeleton()

    public init(generatedAt: String, asOf: String, reportingCurrency: String) {
        self.generatedAt = generatedAt
        self.asOf = asOf
        self.reportingCurrency = reportingCurrency
    }

    /// Everything up to and including the `[` that opens `alerts`.
    public mutating func begin() throws -> Data {
        beginning = try skeleton(summary: Self.placeholder)
        return beginning.head
    }

    /// Some alerts, with the separator before them, indented as inside the document.
    public mutating func alerts(_ batch: [DashboardDocument.AlertEntry]) throws -> Data {
        try items(batch, count: &alertCount)
    }

    /// The end of the alert list, the fields between the lists, and the `[` that opens `pledges`.
    public func beginPledges() throws -> Data {
        var data = alertCount == 0 ? beginning.alertsGap : Data("\n  ".utf8)
        data.append(beginning.middle)
        return data
    }

    /// Some entries, with the separator before them, indented as inside the document.
    ///
    /// The timelines are most of an entry's bytes (a point per day with ledger activity) and have a fixed
    /// shape, so they are written here directly; the rest of each entry goes through the encoder with an
    /// empty timeline, whose `[` … `]` is then replaced by the points, in the encoder's exact layout.
    public mutating func entries(_ batch: [DashboardDocument.PledgeEntry]) throws -> Data {
        let encoded = try items(batch.map { $0.withoutTimeline }, count: &entryCount)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count + batch.reduce(0) { $0 + $1.timeline.count * 100 })
        var position = encoded.startIndex
        for entry in batch {
            guard let marker = encoded.range(of: Self.emptyTimeline, in: position..<encoded.endIndex) else {
                throw StreamError.unexpectedLayout
            }
            bytes.append(contentsOf: encoded[position..<marker.lowerBound])
            try Self.appendTimeline(entry.timeline, to: &bytes)
            position = marker.upperBound
        }
        bytes.append(contentsOf: encoded[position...])
        return Data(bytes)
    }

    /// An entry's empty timeline as the encoder lays it out inside the document (entry keys six spaces
    /// deep). A raw newline and raw quotes cannot occur inside an encoded string, so this matches only the
    /// key itself.
    static let emptyTimeline = Data("\n      \"timeline\" : [\n\n      ]".utf8)

    /// `"timeline" : [` … `]` with the points, laid out as the encoder lays them out.
    static func appendTimeline(_ points: [DashboardDocument.TimelinePoint], to bytes: inout [UInt8]) throws {
        bytes.append(contentsOf: "\n      \"timeline\" : [".utf8)
        guard !points.isEmpty else {
            bytes.append(contentsOf: "\n\n      ]".utf8)
            return
        }
        for (index, point) in points.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: "\n        {\n          \"assumed\" : ".utf8)
            bytes.append(contentsOf: (point.assumed ? "true" : "false").utf8)
            bytes.append(contentsOf: ",\n          \"cumulative\" : ".utf8)
            try appendString(point.cumulative, to: &bytes)
            bytes.append(contentsOf: ",\n          \"date\" : ".utf8)
            try appendString(point.date, to: &bytes)
            bytes.append(contentsOf: "\n        }".utf8)
        }
        bytes.append(contentsOf: "\n      ]".utf8)
    }

    /// A JSON string: written as is when it holds only printable ASCII other than `"` and `\\` (dates and
    /// decimal figures always do), else by the encoder itself, so any escaping is exactly the encoder's.
    static func appendString(_ value: String, to bytes: inout [UInt8]) throws {
        var value = value
        let plain = value.withUTF8 { utf8 in
            !utf8.contains { $0 < 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        if plain {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
        } else {
            // `[value]` compactly is `["…"]`: the string is what lies between the brackets.
            let encoded = try JSONEncoder.compactWithoutEscapingSlashes.encode([value])
            bytes.append(contentsOf: encoded.dropFirst().dropLast())
        }
    }

    /// The end of the pledge list, the fields after it, and the final newline.
    public func end(summary: DashboardDocument.Summary) throws -> Data {
        let final = try skeleton(summary: summary)
        guard final.head == beginning.head, final.middle == beginning.middle else { throw StreamError.headChanged }
        var data = entryCount == 0 ? final.pledgesGap : Data("\n  ".utf8)
        data.append(final.tail)
        data.append(0x0A)
        return data
    }

    /// Items of a top-level list, encoded as `[[items…]]`: the encoder then indents them exactly as in
    /// the document (four spaces deep), so the bytes between the inner brackets are the document's.
    private func items<Item: Encodable>(_ batch: [Item], count: inout Int) throws -> Data {
        guard !batch.isEmpty else { return Data() }
        let encoded = try encoder.encode([batch])
        let open = Array("[\n  [\n".utf8)
        let close = Array("\n  ]\n]".utf8)
        guard encoded.count > open.count + close.count, encoded.prefix(open.count).elementsEqual(open),
            encoded.suffix(close.count).elementsEqual(close)
        else { throw StreamError.unexpectedLayout }
        var data = Data((count == 0 ? "\n" : ",\n").utf8)
        data.append(encoded[(encoded.startIndex + open.count)..<(encoded.endIndex - close.count)])
        count += batch.count
        return data
    }

    /// The document with both lists empty, cut around them.
    private struct Skeleton {
        /// Up to and including `"alerts" : [`.
        var head = Data()
        /// What the encoder puts inside an empty alert list.
        var alertsGap = Data()
        /// From the alert list's `]` up to and including `"pledges" : [`.
        var middle = Data()
        /// What the encoder puts inside an empty pledge list.
        var pledgesGap = Data()
        /// From the pledge list's `]` to the end.
        var tail = Data()
    }

    private func skeleton(summary: DashboardDocument.Summary) throws -> Skeleton {
        let whole = try encoder.encode(
            DashboardDocument(
                generatedAt: generatedAt, asOf: asOf, reportingCurrency: reportingCurrency, summary: summary, pledges: [],
                alerts: []))
        // The top-level keys are indented by two spaces; nothing nested can match.
        func list(_ key: String, from start: Data.Index) throws -> (open: Data.Index, close: Data.Index) {
            guard let marker = whole.range(of: Data("\n  \"\(key)\" : [".utf8), in: start..<whole.endIndex),
                let close = whole[marker.upperBound...].firstIndex(of: UInt8(ascii: "]"))
            else { throw StreamError.noList(key) }
            return (marker.upperBound, close)
        }
        let alerts = try list("alerts", from: whole.startIndex)
        let pledges = try list("pledges", from: alerts.close)
        return Skeleton(
            head: Data(whole[..<alerts.open]), alertsGap: Data(whole[alerts.open..<alerts.close]),
            middle: Data(whole[alerts.close..<pledges.open]), pledgesGap: Data(whole[pledges.open..<pledges.close]),
            tail: Data(whole[pledges.close...]))
    }

    private static let placeholder = DashboardDocument.Summary(
        pledges: 0, byStatus: [:], byDonor: [], byCategory: [], unconverted: [], firingAlerts: 0, pendingAlerts: 0)

    public enum StreamError: Error, CustomStringConvertible {
        case noList(String), headChanged, unexpectedLayout
        public var description: String {
            switch self {
            case .noList(let key): "dashboard encoder: no top-level \(key) list in the skeleton"
            case .headChanged: "dashboard encoder: the fields before the pledge list changed while streaming"
            case .unexpectedLayout: "dashboard encoder: the encoder's layout of nested lists is not the expected one"
            }
        }
    }
}

extension DashboardDocument.PledgeEntry {
    /// The entry with an empty timeline (the stream encoder writes the points itself).
    var withoutTimeline: Self {
        .init(
            id: id, donor: donor, recipient: recipient, title: title, category: category, unit: unit, unitKind: unitKind,
            commitment: commitment, status: status, announcedOn: announcedOn, countsFrom: countsFrom, source: source,
            originalTerms: originalTerms, currentTerms: currentTerms, assessment: assessment, timeline: [], openAlerts: openAlerts)
    }
}

extension JSONEncoder {
    fileprivate static var compactWithoutEscapingSlashes: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}
