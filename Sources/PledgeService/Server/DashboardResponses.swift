import Foundation
import Hummingbird
import PledgeCore

/// The answers to `GET /v1/dashboard` for one rendering, built once when the snapshot is: the 304, the
/// JSON and its gzip, headers included. The router's handler and the pipeline's fast path both answer
/// from here, so they send the same bytes; the bodies are shared, never copied per request.
final class DashboardResponses: Sendable {
    /// One complete answer (the `Date` header is added when it is sent).
    struct Answer: Sendable {
        enum Kind: Sendable { case notModified, plain, gzip }
        let kind: Kind
        let status: HTTPResponse.Status
        let fields: HTTPFields
        let body: ByteBuffer?
    }

    let etag: String
    let notModified: Answer
    let plain: Answer
    let gzip: Answer?

    init(body: Data) {
        etag = "\"" + ETag.hash(body) + "\""
        var common = HTTPFields()
        common[.eTag] = etag
        common[.vary] = "Accept-Encoding"
        common[.cacheControl] = "no-cache"
        notModified = Answer(kind: .notModified, status: .notModified, fields: common, body: nil)
        common[.contentType] = "application/json"
        plain = Self.answer(common, body: body, encoding: nil)
        gzip = Gzip.compress(body).map { Self.answer(common, body: $0, encoding: "gzip") }
    }

    private static func answer(_ common: HTTPFields, body: Data, encoding: String?) -> Answer {
        var fields = common
        if let encoding { fields[.contentEncoding] = encoding }
        fields[.contentLength] = String(body.count)
        return Answer(kind: encoding == nil ? .plain : .gzip, status: .ok, fields: fields, body: ByteBuffer(bytes: body))
    }

    /// The answer to a request carrying these `If-None-Match` and `Accept-Encoding` values.
    func answer(ifNoneMatch: String?, acceptEncoding: String?) -> Answer {
        if ETag.matches(ifNoneMatch, etag) { return notModified }
        if let gzip, Self.acceptsGzip(acceptEncoding) { return gzip }
        return plain
    }

    /// `gzip` listed without `q=0`.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.lowercased().split(separator: ",").contains { part in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.first == "gzip" || pieces.first == "*" else { return false }
            return !pieces.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "") == "q=0" || $0 == "q=0.0" }
        }
    }
}

/// The `Date` header's value: RFC 9110's IMF-fixdate.
enum HTTPDate {
    /// `Sun, 06 Nov 1994 08:49:37 GMT` for seconds since the epoch.
    static func format(_ seconds: Int) -> String {
        let (day, secondOfDay) = CalendarDate.split(epochSeconds: seconds)
        let date = day.components
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((day.daysSinceEpoch % 7) + 7) % 7]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][date.month - 1]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(date.day)) \(month) \(date.year) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }
}
