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

    /// Claims due messages, sends each with `send`, and records the outcome: delivered, or retried later with
    /// exponential backoff (30 s doubling, at most 10 minutes).
    ///
    /// A receiver gets each alert's notifications in the order they were made: a message waits while an
    /// earlier one for the same alert (`groupKey`) and receiver is undelivered, so a firing in backoff holds
    /// back the resolved that followed it. Messages go out in rounds, each its own transaction, until none
    /// is due (one held back by a message the round delivered goes in the next round) or `keepGoing` says
    /// stop; it is asked before each message, and what is left is sent by a later call. (An alert whose
    /// earliest message is refused for ever, say with a 4xx, holds its later ones back for ever: the order
    /// is the promise.)
    public func deliverDue(limit: Int = 100, keepGoing: () -> Bool = { true }, send: (Message) -> String?) throws -> (delivered: Int, failed: Int) {
        var total = (delivered: 0, failed: 0)
        while keepGoing() {
            let round = try deliverRound(limit: limit, keepGoing: keepGoing, send: send)
            total.delivered += round.delivered
            total.failed += round.failed
            // Another round only after one that delivered something: it may have freed messages it held back
            // (or left some beyond `limit`). Failed messages are not due again for 30 s or more.
            if round.delivered == 0 { break }
        }
        return total
    }

    private func deliverRound(
        limit: Int, keepGoing: () -> Bool, send: (Message) -> String?
    ) throws -> (delivered: Int, failed: Int) {
        try connection.withTransaction { tx in
            let messages = try tx.query(
                """
                SELECT o.id, o.idempotency_key, o.url, o.payload::text, o.attempts FROM outbox o
                WHERE o.delivered_at IS NULL AND o.next_attempt_at <= now()
                  AND NOT EXISTS (
                      SELECT 1 FROM outbox e
                      WHERE e.delivered_at IS NULL AND e.url = o.url AND e.payload ->> 'groupKey' = o.payload ->> 'groupKey'
                        AND e.id < o.id)
                ORDER BY o.id LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """
            ).map { row in
                let v = try row.decode((Int, String, String, String, Int).self)
                return Message(id: v.0, idempotencyKey: v.1, url: v.2, payload: v.3, attempts: v.4)
            }
            var delivered = 0
            var failed = 0
            for message in messages {
                guard keepGoing() else { break }
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
