import Foundation
import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// LISTENs for ledger changes and finished evaluations on a dedicated connection, and reconnects with
/// backoff when the connection breaks. Runs on a thread of its own: libpq's wait blocks.
final class ChangeListener: Service, Sendable {
    static let ledgerChannel = "pledgewatch_ledger"
    static let evaluatedChannel = "pledgewatch_evaluated"
    static let alertChannel = "pledgewatch_alerts"

    private let configuration: ConnectionConfiguration
    private let onLedgerChange: @Sendable () -> Void
    private let onStateChange: @Sendable () -> Void
    private let logger: Logger
    private let stopping = Mutex(false)

    init(
        configuration: ConnectionConfiguration, logger: Logger, onLedgerChange: @escaping @Sendable () -> Void,
        onStateChange: @escaping @Sendable () -> Void
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onLedgerChange = onLedgerChange
        self.onStateChange = onStateChange
    }

    func run() async throws {
        let done = Wakeup()
        let thread = Thread { [self] in
            listenUntilStopped()
            done.signal()
        }
        thread.start()
        try? await gracefulShutdown()
        stopping.withLock { $0 = true }
        while thread.isExecuting { await done.wait(timeout: .seconds(2)) }
    }

    private func listenUntilStopped() {
        var backoff = 0.25
        var reconnecting = false
        while !stopping.withLock({ $0 }) {
            do {
                let connection = try Connection(configuration)
                for channel in [Self.ledgerChannel, Self.evaluatedChannel, Self.alertChannel] { try connection.listen(channel) }
                backoff = 0.25
                if reconnecting {
                    // Changes may have happened while we were not listening.
                    onLedgerChange()
                    onStateChange()
                }
                while !stopping.withLock({ $0 }) {
                    guard let notification = try connection.waitForNotification(timeout: .seconds(1)) else { continue }
                    if notification.channel == Self.ledgerChannel { onLedgerChange() }
                    onStateChange()
                }
            } catch {
                reconnecting = true
                logger.warning("listener connection lost; reconnecting", metadata: ["error": "\(error)", "retryIn": "\(backoff)s"])
                Thread.sleep(forTimeInterval: backoff)  // a reconnect backoff on a dedicated thread, not a synchronisation
                backoff = min(backoff * 2, 5)
            }
        }
    }
}
