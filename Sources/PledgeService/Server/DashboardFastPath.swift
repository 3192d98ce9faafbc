import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// `GET /v1/dashboard` answered inside the channel pipeline, right after HTTP/1 decoding: the hot path
/// of a polled dashboard (a 304, or the pre-built JSON or gzip body) without the router's task hops or
/// the conversion of every header to HTTP types and back. It answers only when it can answer exactly as
/// the router would — a built snapshot, the token (when one is configured) presented, a connection kept
/// alive and writable, and no earlier request on this connection still with the router (so responses
/// stay in request order). Everything else passes on unchanged to the router, which has the same route.
final class DashboardFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    static let path = "/v1/dashboard"

    private let cache: DashboardCache
    private let metrics: ServerMetrics
    private let token: [UInt8]?
    /// Requests passed to the router whose responses have not ended yet.
    private var withRouter = 0
    /// The body and end of a request answered here are dropped.
    private var discardingRest = false
    /// The response heads of one rendering, with this second's `Date`: rebuilt when either changes.
    private var heads: Heads?

    /// The response heads of one set of responses, with the `Date` of one second.
    private struct Heads {
        let responses: DashboardResponses
        let second: Int
        let notModified: HTTPResponseHead
        let notModifiedGzip: HTTPResponseHead
        let plain: HTTPResponseHead
        let gzip: HTTPResponseHead?
    }

    init(cache: DashboardCache, metrics: ServerMetrics, token: [UInt8]?) {
        self.cache = cache
        self.metrics = metrics
        self.token = token
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            let started = ContinuousClock.now
            // A client that does not read its answers makes the channel unwritable: the router's writer
            // then holds further requests back, so nothing piles up here.
            if withRouter == 0, context.channel.isWritable, let (head, body) = answer(request) {
                discardingRest = true
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                metrics.observeRequest(
                    route: Self.path, status: Int(head.status.code),
                    seconds: RequestMetricsMiddleware<BasicRequestContext>.seconds(since: started))
                return
            }
            discardingRest = false
            withRouter += 1
            context.fireChannelRead(data)
        case .body, .end:
            if discardingRest { return }
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), withRouter > 0 { withRouter -= 1 }
        context.write(data, promise: promise)
    }

    /// The response when this request is one the fast path may take, else nil.
    func answer(_ request: HTTPRequestHead) -> (HTTPResponseHead, ByteBuffer?)? {
        guard request.method == .GET, Self.isDashboard(request.uri), request.isKeepAlive, authorized(request),
            let responses = cache.snapshot?.responses
        else { return nil }
        let heads = currentHeads(responses)
        let answer = responses.answer(
            ifNoneMatch: request.headers.first(name: "If-None-Match"), acceptEncoding: request.headers.first(name: "Accept-Encoding"))
        switch answer.kind {
        case .notModified: return (heads.notModified, nil)
        case .notModifiedGzip: return (heads.notModifiedGzip, nil)
        case .plain: return (heads.plain, answer.body)
        case .gzip: return (heads.gzip ?? heads.plain, answer.body)
        }
    }

    private func currentHeads(_ responses: DashboardResponses) -> Heads {
        let second = Int(time(nil))
        if let heads, heads.responses === responses, heads.second == second { return heads }
        let date = HTTPDate.format(second)
        func head(_ answer: DashboardResponses.Answer) -> HTTPResponseHead {
            var fields = answer.fields
            fields[.date] = date
            return HTTPResponseHead(version: .http1_1, status: .init(statusCode: answer.status.code), headers: HTTPHeaders(fields.map { ($0.name.rawName, $0.value) }))
        }
        let built = Heads(
            responses: responses, second: second, notModified: head(responses.notModified),
            notModifiedGzip: head(responses.notModifiedGzip), plain: head(responses.plain), gzip: responses.gzip.map(head))
        heads = built
        return built
    }

    static func isDashboard(_ uri: String) -> Bool {
        uri == Self.path || (uri.hasPrefix(Self.path) && uri.utf8.dropFirst(Self.path.utf8.count).first == UInt8(ascii: "?"))
    }

    private func authorized(_ request: HTTPRequestHead) -> Bool {
        guard let token else { return true }
        return BearerTokenMiddleware<BasicRequestContext>.presents(request.headers.first(name: "Authorization"), token: token)
    }
}

/// Hummingbird's HTTP/1 child channel with the dashboard's fast path placed right after HTTP decoding,
/// before the conversion to HTTP types that the router needs. Set up as `HTTP1Channel` sets up its own
/// (same decoder limits, connection-state handler and async channel), and handled by the same loop.
struct DashboardHTTP1Channel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let fastPath: @Sendable () -> DashboardFastPath

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = 80 * 1024
            limits.maxHeaderListSize = 80 * 1024
            limits.maxHeaderFieldCount = 1000
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
            try channel.pipeline.syncOperations.addHandler(fastPath())
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the dashboard's fast path (one handler per connection).
    static func dashboardFastPath(_ fastPath: @escaping @Sendable () -> DashboardFastPath) -> HTTPServerBuilder {
        .init { responder in DashboardHTTP1Channel(responder: responder, fastPath: fastPath) }
    }
}
