import Foundation
import Hummingbird
import PledgeCore
import PledgeStore
import Postgres

/// The read-only HTTP API. Handlers are thin: the dashboard and its derivatives come from the cache;
/// only a pledge's history and readiness touch the database.
struct Routes: Sendable {
    let cache: DashboardCache
    let client: PostgresClient
    let metrics: ServerMetrics

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in Self.json(Data("{\"status\":\"ok\"}\n".utf8)) }
        router.get("/readyz") { _, _ in await self.readiness() }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let text = self.metrics.render(document: self.cache.snapshot?.document)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/v1/dashboard") { request, _ in try self.dashboard(request) }
        router.get("/v1/pledges") { request, _ in Self.cached(try self.snapshot().pledgeList, request: request) }
        router.get("/v1/pledges/{id}") { request, context in try await self.pledge(request, context: context) }
        router.get("/v1/alerts") { request, _ in
            let snapshot = try self.snapshot()
            let state = request.uri.queryParameters.get("state") ?? "open"
            guard let body = snapshot.alertLists[state] else {
                throw HTTPError(.badRequest, message: "state must be open, firing or pending")
            }
            return Self.cached(body, request: request)
        }
    }

    func snapshot() throws -> DashboardCache.Snapshot {
        guard let snapshot = cache.snapshot else {
            throw HTTPError(.serviceUnavailable, message: "the dashboard is not built yet: the database has not answered")
        }
        return snapshot
    }

    func dashboard(_ request: Request) throws -> Response {
        let answer = try snapshot().responses.answer(
            ifNoneMatch: request.headers[.ifNoneMatch], acceptEncoding: request.headers[.acceptEncoding])
        var response = Response(status: answer.status, headers: answer.fields, body: .init(byteBuffer: answer.body ?? ByteBuffer()))
        // A 304 carries no Content-Length (RFC 9110 §8.6 allows only the 200's length), as in the pipeline.
        if answer.body == nil { response.headers[.contentLength] = nil }
        return response
    }

    struct PledgeDetail: Encodable {
        let apiVersion = DashboardDocument.apiVersion
        let kind = "Pledge"
        let pledge: DashboardDocument.PledgeEntry
        /// Stored assessments, newest first: the forecast history.
        let history: [AssessmentSummary]
        /// The whole cumulative series as of the dashboard's as-of day: a point per day with ledger
        /// activity (the entry's `timeline` is its burn-up, at most `BurnUp.limit` of these).
        let timeline: [DashboardDocument.TimelinePoint]
    }

    func pledge(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let snapshot = try snapshot()
        guard let id = context.parameters.get("id"), let entry = snapshot.pledgeEntries[id] else {
            throw HTTPError(.notFound, message: "no such pledge")
        }
        if let cached = cache.pledgeDetail(id, version: snapshot.version) { return Self.json(cached) }
        let history: [AssessmentSummary]
        let timeline: Timeline
        let asOf = CalendarDate(iso: snapshot.document.asOf) ?? .today()
        do {
            (history, timeline) = try await client.withConnection { connection in
                try connection.withTransaction(isolation: .repeatableRead) { tx in
                    let pledge = try PledgeRepository(tx).find(id, asOf: asOf)
                    return (
                        try AssessmentRepository(tx).history(pledgeID: id, limit: 100),
                        try TimelineRepository(tx).timelines(for: [pledge], asOf: asOf)[id]
                            ?? Timeline(countsFrom: pledge.countsFrom, asOf: asOf, changes: [])
                    )
                }
            }
        } catch let error as PostgresError where error.isConnectionBroken {
            // The entry is in the snapshot, its forecast history is not: say why rather than a bare 500.
            metrics.setDatabaseUp(false)
            var headers = HTTPFields()
            headers[.retryAfter] = "5"
            throw HTTPError(
                .serviceUnavailable, headers: headers,
                message: "the database is unreachable, so this pledge's forecast history and timeline cannot be read now; the dashboard is still served")
        }
        let body = try DashboardCache.Snapshot.render(
            PledgeDetail(
                pledge: entry, history: history,
                timeline: timeline.points.map { .init(date: $0.date, cumulative: $0.cumulative, assumed: $0.assumed) }))
        cache.storePledgeDetail(id, version: snapshot.version, body: body)
        return Self.json(body)
    }

    func readiness() async -> Response {
        do {
            let current = try await client.withConnection { try Migrator().isCurrent(on: $0) }
            metrics.setDatabaseUp(true)
            guard current else {
                return Self.json(Data("{\"ready\":false,\"reason\":\"migrations pending: run pledgewatch migrate\"}\n".utf8), status: .serviceUnavailable)
            }
            guard cache.snapshot != nil else {
                return Self.json(Data("{\"ready\":false,\"reason\":\"dashboard not built yet\"}\n".utf8), status: .serviceUnavailable)
            }
            return Self.json(Data("{\"leader\":\(metrics.isLeader),\"ready\":true}\n".utf8))
        } catch {
            metrics.setDatabaseUp(false)
            return Self.json(Data("{\"ready\":false,\"reason\":\"database unreachable\"}\n".utf8), status: .serviceUnavailable)
        }
    }

    static func json(_ body: Data, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A body of the snapshot, sent from its own buffers (never copied per request), with its ETag.
    static func cached(_ body: CachedBody, request: Request) -> Response {
        var headers = HTTPFields()
        headers[.eTag] = body.etag
        // A 304's Content-Length (Hummingbird sets 0) is dropped by NIO's encoder for a status without a
        // body (tested).
        if ETag.matches(request.headers[.ifNoneMatch], body.etag) { return Response(status: .notModified, headers: headers) }
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(contentsOf: body.parts))
    }
}
