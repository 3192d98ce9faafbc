import Foundation
import PledgeStore
import Postgres

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends queued webhook notifications (Alertmanager webhook v4 JSON) with an `Idempotency-Key` header.
public struct WebhookSender {
    public let connection: Connection
    public var timeout: TimeInterval = 10

    public init(connection: Connection) { self.connection = connection }

    /// Sends due messages, each alert's in order, until none is due or `budget` has passed (a receiver that
    /// accepts connections and never answers costs `timeout` a message: the budget bounds a cron run);
    /// failures are rescheduled with backoff, what is left goes next time. `stop` ends it early too (the
    /// daemon's shutdown), before the next message. Returns the counts.
    @discardableResult
    public func deliverDue(budget: Duration = .seconds(60), stop: () -> Bool = { false }) throws -> (delivered: Int, failed: Int) {
        let deadline = ContinuousClock.now + budget
        return try OutboxRepository(connection).deliverDue(keepGoing: { ContinuousClock.now < deadline && !stop() }) { message in
            post(message)
        }
    }

    /// nil on a 2xx answer, else why not.
    func post(_ message: OutboxRepository.Message) -> String? {
        guard let url = URL(string: message.url) else { return "invalid URL" }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(message.idempotencyKey, forHTTPHeaderField: "Idempotency-Key")
        request.httpBody = Data(message.payload.utf8)
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let session = URLSession(configuration: .ephemeral)
        session.dataTask(with: request) { _, response, error in
            if let error {
                outcome.set(error.localizedDescription)
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                outcome.set("HTTP \(http.statusCode)")
            }
            done.signal()
        }.resume()
        done.wait()
        session.finishTasksAndInvalidate()
        return outcome.get()
    }
}

private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var error: String?
    func set(_ value: String) { lock.withLock { error = value } }
    func get() -> String? { lock.withLock { error } }
}
