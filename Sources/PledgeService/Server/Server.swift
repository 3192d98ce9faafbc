import Foundation
import Hummingbird
import NIOCore
import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// `pledgewatch serve`: the HTTP API, the evaluation loop (leader only), the change listener and the
/// dashboard cache, run together under swift-service-lifecycle so SIGTERM/SIGINT stop them gracefully:
/// in-flight requests and a running evaluation's transaction finish first.
public struct Server: Sendable {
    public let configuration: ServeConfiguration
    public let logger: Logger

    public init(configuration: ServeConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Builds everything and runs until a signal; `onListening` gets the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        let metrics = ServerMetrics()
        let cache = DashboardCache()
        let client = PostgresClient(configuration: configuration.database, maxConnections: configuration.poolSize)
        defer { client.close() }
        let refresher = CacheRefresher(configuration: configuration, client: client, cache: cache, metrics: metrics, logger: logger)
        let listening = Wakeup()
        let bound = Atomic<Bool>(false)
        let evaluations = EvaluationLoop(configuration: configuration, metrics: metrics, logger: logger, startsWhen: listening) {
            refresher.changed.signal()
        }
        let listener = ChangeListener(
            configuration: configuration.database, logger: logger,
            onLedgerChange: { evaluations.noteLedgerChange() }, onStateChange: { refresher.changed.signal() })
        let app = buildApplication(cache: cache, client: client, metrics: metrics) { port in
            bound.store(true, ordering: .sequentiallyConsistent)
            listening.signal()
            onListening(port)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: listener), .init(service: refresher), .init(service: evaluations), .init(service: app),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch let error as IOError where !bound.load(ordering: .sequentiallyConsistent) {
            // The address could not be bound (in use, not this machine's, a privileged port): the other
            // services stopped with it, before the evaluation loop started.
            throw ListenError(address: "\(configuration.host):\(configuration.port)", reason: String(cString: strerror(error.errnoCode)))
        } catch let error where !bound.load(ordering: .sequentiallyConsistent) && (error is SocketAddressError || error is SocketAddressError.UnknownHost) {
            throw ListenError(address: "\(configuration.host):\(configuration.port)", reason: "the host name cannot be resolved")
        }
    }

    /// The HTTP application exactly as it runs (tests build this too).
    public func buildApplication(
        cache: DashboardCache, client: PostgresClient, metrics: ServerMetrics, onListening: @escaping @Sendable (Int) -> Void
    ) -> some ApplicationProtocol {
        // HEAD answers every GET route with the GET's status and headers and no body (RFC 9110 §9.3.2).
        let router = Router(options: .autoGenerateHeadEndpoints)
        let token = configuration.token.map { Array($0.utf8) }
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        if let token { router.add(middleware: BearerTokenMiddleware(token: token)) }
        Routes(cache: cache, client: client, metrics: metrics).register(on: router)
        return Application(
            router: router,
            // The polled dashboard is answered in the pipeline when it can be; everything else by the router.
            server: .dashboardFastPath { DashboardFastPath(cache: cache, metrics: metrics, token: token) },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}

/// `serve` could not listen where it was told to.
public struct ListenError: Error, CustomStringConvertible {
    public let address: String
    public let reason: String
    public var description: String { "cannot listen on \(address): \(reason)" }
}
