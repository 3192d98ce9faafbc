import Foundation
import Logging
import PledgeCore
import PledgeStore
import Postgres
import ServiceLifecycle
import Synchronization

/// Keeps assessments fresh: one replica (the holder of a PostgreSQL advisory lock) evaluates every
/// interval and shortly after ledger changes; the others check each interval whether the lock came free.
/// The lock lives in the leader's session, so a leader that dies or loses its connection loses it.
final class EvaluationLoop: Service, Sendable {
    /// The leadership lock ("pw-lead").
    static let leaderKey: Int64 = 0x7077_2D6C_6561_64

    private let configuration: ServeConfiguration
    private let leaderConnection: PostgresClient
    private let metrics: ServerMetrics
    private let logger: Logger
    private let onEvaluated: @Sendable () -> Void
    /// Signalled once the HTTP server listens: nothing is evaluated (nor a webhook sent) before, so a
    /// daemon that cannot listen (its port taken) fails having done nothing.
    private let listening: Wakeup?
    let ledgerChanged = Wakeup()
    private let state = Mutex<(leader: Bool, lastRun: ContinuousClock.Instant?, dirty: Bool)>((false, nil, true))

    init(
        configuration: ServeConfiguration, metrics: ServerMetrics, logger: Logger, startsWhen listening: Wakeup? = nil,
        onEvaluated: @escaping @Sendable () -> Void
    ) {
        self.listening = listening
        self.configuration = configuration
        // One connection: the advisory lock belongs to its session.
        leaderConnection = PostgresClient(configuration: configuration.database, maxConnections: 1)
        self.metrics = metrics
        self.logger = logger
        self.onEvaluated = onEvaluated
    }

    /// Called by the listener: evaluate soon (after the debounce), if leader.
    func noteLedgerChange() {
        state.withLock { $0.dirty = true }
        ledgerChanged.signal()
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.listening?.wait()
            while !Task.isCancelled {
                await self.tick()
                await self.ledgerChanged.wait(timeout: self.pollInterval)
                if self.state.withLock({ $0.dirty }) {
                    // Debounce: let a burst of changes finish before evaluating.
                    try? await Task.sleep(for: self.configuration.debounce)
                }
            }
        }
        leaderConnection.close()
    }

    private var pollInterval: Duration { min(configuration.interval, .seconds(30)) }

    private func tick() async {
        do {
            let wasLeader = state.withLock { $0.leader }
            let leader = try await leaderConnection.withConnection { connection in
                // Asked of the server, not remembered: a session lock taken twice must be let go twice, and a
                // session replaced under us holds nothing, whatever this process last believed.
                try connection.holdsAdvisoryLock(Self.leaderKey) || connection.tryAdvisoryLock(Self.leaderKey)
            }
            state.withLock { $0.leader = leader }
            metrics.setLeader(leader)
            if leader != wasLeader { logger.info(leader ? "this replica leads evaluations" : "another replica leads evaluations") }
            guard leader else { return }
            let due = state.withLock { state -> Bool in
                state.dirty || state.lastRun.map { ContinuousClock.now - $0 >= configuration.interval } ?? true
            }
            var failure: (any Error)?
            if due {
                do { try await evaluate() } catch { failure = error }
            }
            // The outbox's retries fall due on their own clock (30 s doubling): they go out on every tick this
            // replica leads (at least every 30 s), whether it evaluated, found a cron run busy or failed.
            if configuration.webhookURL != nil, !((failure as? PostgresError)?.isConnectionBroken ?? false) {
                do {
                    // A graceful stop ends the round before its next message, not after the whole budget.
                    let stopping = Mutex(false)
                    try await withTaskCancellationHandler {
                        try await leaderConnection.withConnection { connection in
                            // 5 s a tick: a backlog drains over several ticks instead of holding back the
                            // evaluation of a ledger change for a minute.
                            _ = try WebhookSender(connection: connection).deliverDue(budget: .seconds(5), stop: { stopping.withLock { $0 } })
                        }
                    } onCancel: {
                        stopping.withLock { $0 = true }
                        logger.info("graceful stop: the webhook round ends after the message in flight")
                    }
                } catch {
                    logger.warning("webhook retries: \(error)")
                }
            }
            if let failure { throw failure }
        } catch let error as PostgresError where error.isConnectionBroken {
            // The session is gone, and the leadership lock with it.
            state.withLock { $0.leader = false }
            metrics.setLeader(false)
            logger.warning("evaluation loop: \(error)")
        } catch {
            // The session and its lock are intact (a failed evaluation, say): still the leader; the next tick
            // asks the server again.
            logger.warning("evaluation loop: \(error)")
        }
    }

    private func evaluate() async throws {
        let configuration = self.configuration
        let logger = self.logger
        let changed = state.withLock { state in
            defer { state.dirty = false }
            return state.dirty
        }
        do {
            let report = try await leaderConnection.withConnection { connection in
                var evaluator = Evaluator(connection: connection)
                evaluator.policy = configuration.policy
                evaluator.webhookURL = configuration.webhookURL
                evaluator.keepAssessments = false
                evaluator.logger = logger
                return try evaluator.run()
            }
            let seconds = Double(report.duration.components.seconds) + Double(report.duration.components.attoseconds) / 1e18
            metrics.evaluationSucceeded(seconds: seconds, at: Date())
            state.withLock { $0.lastRun = .now }
            onEvaluated()
        } catch is EvaluationBusy {
            // A cron `evaluate` is running: it does the scheduled work. But it may have started before the
            // ledger change that woke this one, so a change stays pending and is tried again after the
            // debounce rather than an interval later.
            metrics.evaluationBusy()
            state.withLock {
                $0.lastRun = .now
                $0.dirty = $0.dirty || changed
            }
            if changed { ledgerChanged.signal() }
        } catch {
            metrics.evaluationFailed()
            state.withLock { $0.dirty = true }
            throw error
        }
    }
}

/// Rebuilds the cached dashboard whenever the stored state changes.
final class CacheRefresher: Service, Sendable {
    private let configuration: ServeConfiguration
    private let client: PostgresClient
    private let cache: DashboardCache
    private let metrics: ServerMetrics
    private let logger: Logger
    let changed = Wakeup()

    init(configuration: ServeConfiguration, client: PostgresClient, cache: DashboardCache, metrics: ServerMetrics, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.cache = cache
        self.metrics = metrics
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = Duration.milliseconds(250)
            while !Task.isCancelled {
                do {
                    try await self.refresh()
                    self.metrics.setDatabaseUp(true)
                    backoff = .milliseconds(250)
                    await self.changed.wait(timeout: self.configuration.refreshCheck)
                } catch {
                    self.metrics.setDatabaseUp(false)
                    self.logger.warning("dashboard refresh failed; retrying", metadata: ["error": "\(error)"])
                    await self.changed.wait(timeout: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
        }
    }

    /// Rebuilds the snapshot if the state's version moved.
    func refresh() async throws {
        let known = cache.snapshot?.version
        let configuration = self.configuration
        let snapshot: DashboardCache.Snapshot? = try await client.withConnection { connection in
            let version = try ChangeClock(connection).version()
            guard version != known else { return nil }
            var service = DashboardService(connection: connection)
            service.reportingCurrency = configuration.reportingCurrency
            service.policy = configuration.policy
            return try DashboardCache.Snapshot(version: version, document: try service.document())
        }
        if let snapshot { cache.replace(with: snapshot) }
    }
}
