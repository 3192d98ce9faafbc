import Foundation

/// The daemon's bodies from a document in memory — the dashboard, `/v1/pledges` and `/v1/alerts` — written
/// by the stream encoder's writers: the bytes `DashboardDocument.encoder` gives (tested against it), without
/// the encoder's tree of boxed values. (`JSONEncoder` for these was 55 % of a medium daemon's CPU while it
/// rebuilt its cache after a ledger change.)
public enum DashboardRendering {
    /// A rendered document, and where its pledge list's contents lie in it.
    public struct Rendered: Sendable {
        /// The whole document, newline-terminated.
        public let bytes: Data
        /// The bytes between the brackets of `pledges`: the entries as the pledge list holds them too.
        public let pledges: Range<Int>
    }

    /// The whole document.
    public static func dashboard(_ document: DashboardDocument) throws -> Rendered {
        var data = Data()
        let pledges = try dashboard(document) { data.append(contentsOf: $0) }
        return Rendered(bytes: data, pledges: pledges)
    }

    /// The whole document handed to `sink` in pieces (so the caller keeps it in a buffer of its choosing,
    /// without a copy); returns where the pledge list's contents lie, as offsets from the start.
    public static func dashboard(_ document: DashboardDocument, to sink: DashboardStreamEncoder.Sink) throws -> Range<Int> {
        var encoder = DashboardStreamEncoder(
            generatedAt: document.generatedAt, asOf: document.asOf, reportingCurrency: document.reportingCurrency)
        var written = 0
        func send(_ piece: UnsafeRawBufferPointer) throws {
            written += piece.count
            try sink(piece)
        }
        func send(_ data: Data) throws { try data.withUnsafeBytes { try send($0) } }
        try send(try encoder.begin())
        try encoder.alerts(document.alerts, to: send)
        try send(try encoder.beginPledges())
        let start = written
        try encoder.entries(document.pledges, to: send)
        let end = try encoder.end(summary: document.summary)
        // The end starts with what precedes the list's `]` (blank space only).
        guard let close = end.firstIndex(of: UInt8(ascii: "]")) else { throw DashboardStreamEncoder.StreamError.noList("pledges") }
        let pledges = start..<(written + (close - end.startIndex))
        try send(end)
        return pledges
    }

    /// What surrounds the contents of `/v1/pledges`'s list — `{"apiVersion", "items": [`, then `], "kind":
    /// "PledgeList"}` and the newline — so the daemon sends a document's pledge-list contents
    /// (`Rendered.pledges`) between them rather than keeping a second copy of every entry: the list holds
    /// the same entries at the same depth, empty or not.
    public static func pledgeListFrame() throws -> (head: Data, tail: Data) {
        let list = try OneList(empty: PledgeList(items: []), key: "items")
        return (list.head, list.tail)
    }

    /// `{"alerts": [the alerts], "apiVersion", "kind": "AlertList"}`, newline-terminated.
    public static func alertList(_ alerts: [DashboardDocument.AlertEntry]) throws -> Data {
        try OneList(empty: AlertList(alerts: []), key: "alerts").render(alerts) { try $0.write($1) }
    }

    struct PledgeList: Encodable {
        var apiVersion = DashboardDocument.apiVersion
        var kind = "PledgeList"
        let items: [DashboardDocument.PledgeEntry]
    }

    struct AlertList: Encodable {
        var apiVersion = DashboardDocument.apiVersion
        var kind = "AlertList"
        let alerts: [DashboardDocument.AlertEntry]
    }

    /// An object the encoder writes with one top-level list left empty, cut around that list so items
    /// written by a `JSONByteWriter` can go in between.
    struct OneList {
        /// Up to and including `"key" : [`.
        let head: Data
        /// What the encoder puts inside the empty list.
        let gap: Data
        /// From the list's `]` to the end, with the final newline.
        let tail: Data

        init<Wrapper: Encodable>(empty: Wrapper, key: String) throws {
            let whole = try DashboardDocument.encoder.encode(empty)
            let list = try DashboardStreamEncoder.emptyList(key, in: whole, from: whole.startIndex)
            head = Data(whole[..<list.open])
            gap = Data(whole[list.open..<list.close])
            tail = Data(whole[list.close...]) + [0x0A]
        }

        func render<Item>(_ items: [Item], write: (inout JSONByteWriter, Item) throws -> Void) rethrows -> Data {
            guard !items.isEmpty else { return head + gap + tail }
            var writer = JSONByteWriter(depth: 2, innermostIsEmpty: true)
            for item in items {
                writer.item()
                try write(&writer, item)
            }
            var data = head
            data.append(contentsOf: writer.bytes)
            data.append(contentsOf: "\n  ".utf8)
            data.append(tail)
            return data
        }
    }
}
