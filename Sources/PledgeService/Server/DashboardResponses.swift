import Foundation
import Hummingbird
import PledgeCore

/// The answers to `GET /v1/dashboard` for one rendering, built once when the snapshot is: the JSON and
/// its gzip, and a 304 for each, headers included. The router's handler and the pipeline's fast path both
/// answer from here, so they send the same bytes; the bodies are shared, never copied per request.
///
/// The two encodings are two representations, so each has its own strong ETag (RFC 9110 §8.8.3): the
/// gzip one is the plain one with `-gzip` inside the quotes. A 304 answers only a tag of the
/// representation the request would get.
final class DashboardResponses: Sendable {
    /// One complete answer (the `Date` header is added when it is sent).
    struct Answer: Sendable {
        enum Kind: Sendable { case notModified, notModifiedGzip, plain, gzip }
        let kind: Kind
        let status: HTTPResponse.Status
        let fields: HTTPFields
        let body: ByteBuffer?
    }

    let etag: String
    let gzipETag: String
    let notModified: Answer
    let notModifiedGzip: Answer
    let plain: Answer
    let gzip: Answer?

    /// Answers with `body` itself (kept, not copied).
    init(body: ByteBuffer) {
        var fnv = ETag.FNV()
        body.withUnsafeReadableBytes { fnv.add($0) }
        etag = "\"" + fnv.hex + "\""
        gzipETag = "\"" + fnv.hex + "-gzip\""
        var common = HTTPFields()
        common[.vary] = "Accept-Encoding"
        common[.cacheControl] = "no-cache"
        notModified = Self.notModified(common, etag: etag, kind: .notModified)
        notModifiedGzip = Self.notModified(common, etag: gzipETag, kind: .notModifiedGzip)
        common[.contentType] = "application/json"
        plain = Self.answer(common, body: body, etag: etag, encoding: nil)
        gzip = body.withUnsafeReadableBytes { Gzip.compress($0) }.map { [gzipETag] in
            Self.answer(common, body: ByteBuffer(bytes: $0), etag: gzipETag, encoding: "gzip")
        }
    }

    private static func notModified(_ common: HTTPFields, etag: String, kind: Answer.Kind) -> Answer {
        var fields = common
        fields[.eTag] = etag
        return Answer(kind: kind, status: .notModified, fields: fields, body: nil)
    }

    private static func answer(_ common: HTTPFields, body: ByteBuffer, etag: String, encoding: String?) -> Answer {
        var fields = common
        fields[.eTag] = etag
        if let encoding { fields[.contentEncoding] = encoding }
        fields[.contentLength] = String(body.readableBytes)
        return Answer(kind: encoding == nil ? .plain : .gzip, status: .ok, fields: fields, body: body)
    }

    /// The answer to a request carrying these `If-None-Match` and `Accept-Encoding` values.
    func answer(ifNoneMatch: String?, acceptEncoding: String?) -> Answer {
        if let gzip, Self.acceptsGzip(acceptEncoding) {
            return ETag.matches(ifNoneMatch, gzipETag) ? notModifiedGzip : gzip
        }
        return ETag.matches(ifNoneMatch, etag) ? notModified : plain
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
