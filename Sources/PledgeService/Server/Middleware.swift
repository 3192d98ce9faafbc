import Foundation
import Hummingbird

/// With a token configured, every route but /healthz needs `Authorization: Bearer <token>`; anything else
/// gets a bare 401. The comparison takes the same time however much of the token matches.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/healthz" { return try await next(request, context) }
        guard Self.presents(request.headers[.authorization], token: token) else { return Response(status: .unauthorized) }
        return try await next(request, context)
    }

    /// True when an `Authorization` header value is `Bearer <token>`.
    static func presents(_ header: String?, token: [UInt8]) -> Bool {
        let prefix = "Bearer "
        guard let header, header.hasPrefix(prefix) else { return false }
        return constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), token)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}

/// Counts requests and their latency by route (the route pattern, never the raw path).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let route = Self.route(request.uri.path)
        do {
            let response = try await next(request, context)
            metrics.observeRequest(route: route, status: Int(response.status.code), seconds: Self.seconds(since: started))
            return response
        } catch let error as HTTPError {
            metrics.observeRequest(route: route, status: Int(error.status.code), seconds: Self.seconds(since: started))
            throw error
        } catch {
            metrics.observeRequest(route: route, status: 500, seconds: Self.seconds(since: started))
            throw error
        }
    }

    static func route(_ path: String) -> String {
        switch path {
        case "/v1/dashboard", "/v1/pledges", "/v1/alerts", "/healthz", "/readyz", "/metrics": path
        default: path.hasPrefix("/v1/pledges/") ? "/v1/pledges/{id}" : "other"
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
