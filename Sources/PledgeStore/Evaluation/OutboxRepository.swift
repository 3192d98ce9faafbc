import Foundation
import Postgres

/// Webhook deliveries waiting to be sent, claimed with `FOR UPDATE SKIP LOCKED` so that concurrent senders
/// never send the same row twice.
public struct OutboxRepository {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    public struct Message: Sendable {
        public let id: Int
        public let idempotencyKey: String
        public let url: String
        public let payload: String
        public let attempts: Int
    }

    /// Claims due messages (inside the caller's transaction), sends each with `send`, and records the outcome:
    /// delivered, or retried later with exponential backoff (30 s doubling, at most 10 minutes).
    public func deliverDue(limit: Int = 100, send: (Message) -> String?) throws -> (delivered: Int, failed: Int) {
        try connection.withTransaction { tx in
            let messages = try tx.query(
                """
                SELECT id, idempotency_key, url, payload::text, attempts FROM outbox
                WHERE delivered_at IS NULL AND next_attempt_at <= now()
                ORDER BY id LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """
            ).map { row in
                let v = try row.decode((Int, String, String, String, Int).self)
                return Message(id: v.0, idempotencyKey: v.1, url: v.2, payload: v.3, attempts: v.4)
            }
            var delivered = 0
            var failed = 0
            for message in messages {
                if let error = send(message) {
                    failed += 1
                    try tx.execute(
                        """
                        UPDATE outbox SET attempts = attempts + 1, last_error = \(String(error.prefix(500))),
                            next_attempt_at = now() + least(interval '10 minutes', interval '30 seconds' * power(2, attempts))
                        WHERE id = \(message.id)
                        """)
                } else {
                    delivered += 1
                    try tx.execute("UPDATE outbox SET attempts = attempts + 1, delivered_at = now(), last_error = NULL WHERE id = \(message.id)")
                }
            }
            return (delivered, failed)
        }
    }

    /// Messages not yet delivered.
    public func pendingCount() throws -> Int {
        try connection.query("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").scalar(Int.self)
    }
}
