import Foundation

/// Writes a dashboard document piece by piece — the top-level fields before `pledges`, then the pledge
/// entries a batch at a time, then the fields after — producing exactly the bytes `DashboardDocument.encoder` gives
/// for the whole document (plus the final newline), so an export of any size needs the memory of one
/// batch, not of the document.
///
/// The keys are sorted, so `alerts`, `apiVersion`, `asOf`, `generatedAt` and `kind` come before
/// `pledges`, and `reportingCurrency` and `summary` after: the summary can be added up while the
/// entries stream past.
public struct DashboardStreamEncoder {
    private let encoder = DashboardDocument.encoder
    private let generatedAt: String
    private let asOf: String
    private let reportingCurrency: String
    private let alerts: [DashboardDocument.AlertEntry]
    private var entries = 0
    private var head = Data()

    /// The key that opens the pledge list, at the top level (two spaces of indentation).
    private static let marker = Data("\n  \"pledges\" : [".utf8)

    public init(generatedAt: String, asOf: String, reportingCurrency: String, alerts: [DashboardDocument.AlertEntry]) {
        self.generatedAt = generatedAt
        self.asOf = asOf
        self.reportingCurrency = reportingCurrency
        self.alerts = alerts
    }

    /// Everything up to and including the `[` that opens `pledges`.
    public mutating func begin() throws -> Data {
        let (head, _, _) = try split(summary: Self.placeholder)
        self.head = head
        return head
    }

    /// Some entries, with the separator before them, indented as inside the document.
    ///
    /// Encoded as `[[entries…]]`: the encoder then indents them exactly as at `pledges` in the document
    /// (the list's items four spaces deep), so the bytes between the inner brackets are the document's.
    public mutating func entries(_ batch: [DashboardDocument.PledgeEntry]) throws -> Data {
        guard !batch.isEmpty else { return Data() }
        let encoded = try encoder.encode([batch])
        let open = Array("[\n  [\n".utf8)
        let close = Array("\n  ]\n]".utf8)
        guard encoded.count > open.count + close.count, encoded.prefix(open.count).elementsEqual(open),
            encoded.suffix(close.count).elementsEqual(close)
        else { throw StreamError.unexpectedLayout }
        var data = Data((entries == 0 ? "\n" : ",\n").utf8)
        data.append(encoded[(encoded.startIndex + open.count)..<(encoded.endIndex - close.count)])
        entries += batch.count
        return data
    }

    /// The rest: the list's closing bracket, the fields after it, and the final newline.
    public func end(summary: DashboardDocument.Summary) throws -> Data {
        let (head, emptyGap, tail) = try split(summary: summary)
        guard head == self.head else { throw StreamError.headChanged }
        var data = entries == 0 ? emptyGap : Data("\n  ".utf8)
        data.append(tail)
        data.append(0x0A)
        return data
    }

    /// The document without pledges, cut around its (empty) pledge list: before it, the whitespace the
    /// encoder puts inside an empty list, and from the closing bracket on.
    private func split(summary: DashboardDocument.Summary) throws -> (Data, Data, Data) {
        let skeleton = try encoder.encode(
            DashboardDocument(
                generatedAt: generatedAt, asOf: asOf, reportingCurrency: reportingCurrency, summary: summary, pledges: [],
                alerts: alerts))
        guard let marker = skeleton.range(of: Self.marker, options: .backwards),
            let close = skeleton[marker.upperBound...].firstIndex(of: UInt8(ascii: "]"))
        else { throw StreamError.noPledgeList }
        return (
            Data(skeleton[..<marker.upperBound]), Data(skeleton[marker.upperBound..<close]), Data(skeleton[close...])
        )
    }

    private static let placeholder = DashboardDocument.Summary(
        pledges: 0, byStatus: [:], byDonor: [], byCategory: [], unconverted: [], firingAlerts: 0, pendingAlerts: 0)

    public enum StreamError: Error, CustomStringConvertible {
        case noPledgeList, headChanged, unexpectedLayout
        public var description: String {
            switch self {
            case .noPledgeList: "dashboard encoder: no top-level pledge list in the skeleton"
            case .headChanged: "dashboard encoder: the fields before the pledge list changed while streaming"
            case .unexpectedLayout: "dashboard encoder: the encoder's layout of nested lists is not the expected one"
            }
        }
    }
}
