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
///
/// The lists' bytes are handed to a sink in pieces of about `pieceSize`, all written into one buffer kept
/// for the whole document. (A batch's entries rendered into an array of their own, then copied into a
/// `Data`, were 86 % of a medium export's page faults: 96,000 of them, a third of its CPU in the kernel.)
public struct DashboardStreamEncoder {
    /// Where the rendered bytes go: valid only during the call.
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    /// The default piece: large enough that the file sees few writes, small enough to stay in the cache.
    public static let defaultPieceSize = 1 << 18

    private let encoder = DashboardDocument.encoder
    private let generatedAt: String
    private let asOf: String
    private let reportingCurrency: String
    private var alertCount = 0
    private var entryCount = 0
    private var beginning = Skeleton()
    private let pieceSize: Int
    /// The lists' buffer, between batches.
    private var buffer: [UInt8] = []

    public init(generatedAt: String, asOf: String, reportingCurrency: String, pieceSize: Int = Self.defaultPieceSize) {
        self.generatedAt = generatedAt
        self.asOf = asOf
        self.reportingCurrency = reportingCurrency
        self.pieceSize = max(1, pieceSize)
    }

    /// Everything up to and including the `[` that opens `alerts`.
    public mutating func begin() throws -> Data {
        beginning = try skeleton(summary: Self.placeholder)
        return beginning.head
    }

    /// Some alerts, with the separator before them, indented as inside the document.
    public mutating func alerts(_ batch: [DashboardDocument.AlertEntry], to sink: Sink) throws {
        try items(batch, first: alertCount == 0, to: sink) { try $0.write($1) }
        alertCount += batch.count
    }

    /// The end of the alert list, the fields between the lists, and the `[` that opens `pledges`.
    public func beginPledges() throws -> Data {
        var data = alertCount == 0 ? beginning.alertsGap : Data("\n  ".utf8)
        data.append(beginning.middle)
        return data
    }

    /// Some entries, with the separator before them, indented as inside the document.
    public mutating func entries(_ batch: [DashboardDocument.PledgeEntry], to sink: Sink) throws {
        try items(batch, first: entryCount == 0, to: sink) { try $0.write($1) }
        entryCount += batch.count
    }

    /// Items of a top-level list (inside the document and the list: two levels deep), each after its
    /// separator, as the document's encoder lays them out; handed to `sink` whenever a piece is full (after
    /// an item: a piece may exceed the size by one item), and at the end.
    private mutating func items<Item>(
        _ batch: [Item], first: Bool, to sink: Sink, write: (inout JSONByteWriter, Item) throws -> Void
    ) throws {
        var writer = JSONByteWriter(
            depth: 2, innermostIsEmpty: first, reusing: takeBuffer(), capacity: min(pieceSize, 1 << 20) + (1 << 14))
        defer { buffer = writer.releaseBuffer() }
        for item in batch {
            writer.item()
            try write(&writer, item)
            if writer.bytes.count >= pieceSize { try writer.drain(into: sink) }
        }
        try writer.drain(into: sink)
    }

    /// The buffer, left empty here so that whoever takes it holds the only reference.
    private mutating func takeBuffer() -> [UInt8] {
        defer { buffer = [] }
        return buffer
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
        let alerts = try Self.emptyList("alerts", in: whole, from: whole.startIndex)
        let pledges = try Self.emptyList("pledges", in: whole, from: alerts.close)
        return Skeleton(
            head: Data(whole[..<alerts.open]), alertsGap: Data(whole[alerts.open..<alerts.close]),
            middle: Data(whole[alerts.close..<pledges.open]), pledgesGap: Data(whole[pledges.open..<pledges.close]),
            tail: Data(whole[pledges.close...]))
    }

    /// Where the empty top-level list `key` of an encoded object opens (just after its `[`) and closes (its
    /// `]`). Top-level keys are indented by two spaces; nothing nested can match.
    static func emptyList(_ key: String, in whole: Data, from start: Data.Index) throws -> (open: Data.Index, close: Data.Index) {
        guard let marker = whole.range(of: Data("\n  \"\(key)\" : [".utf8), in: start..<whole.endIndex),
            let close = whole[marker.upperBound...].firstIndex(of: UInt8(ascii: "]"))
        else { throw StreamError.noList(key) }
        return (marker.upperBound, close)
    }

    private static let placeholder = DashboardDocument.Summary(
        pledges: 0, byStatus: [:], byDonor: [], byCategory: [], unconverted: [], firingAlerts: 0, pendingAlerts: 0)

    public enum StreamError: Error, CustomStringConvertible {
        case noList(String), headChanged, noHead
        public var description: String {
            switch self {
            case .noList(let key): "dashboard encoder: no top-level \(key) list in the skeleton"
            case .headChanged: "dashboard encoder: the fields before the pledge list changed while streaming"
            case .noHead: "dashboard encoder: the document was assembled without its head"
            }
        }
    }
}
