import CLibPQ
import Foundation

/// A NOTIFY received on a channel this connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    /// The server process that sent it.
    public let senderPID: Int32
}

extension Connection {
    /// Starts listening on `channel`. Channel names cannot be parameters; libpq quotes this one.
    public func listen(_ channel: String) throws {
        try executeScript("LISTEN " + quotedIdentifier(channel))
    }

    /// Stops listening on `channel`.
    public func unlisten(_ channel: String) throws {
        try executeScript("UNLISTEN " + quotedIdentifier(channel))
    }

    /// Sends a notification (through `pg_notify`, with both values bound).
    public func notify(_ channel: String, payload: String = "") throws {
        try query("SELECT pg_notify(\(channel), \(payload))")
    }

    /// The next notification, waiting up to `timeout` for one; `nil` when none came.
    /// Sleeps in `poll(2)` on the connection's socket, so waiting costs no CPU.
    public func waitForNotification(timeout: Duration) throws -> PostgresNotification? {
        let handle = try liveHandle()
        let deadline = ContinuousClock.now + timeout
        while true {
            guard PQconsumeInput(handle) == 1 else { throw lostOrFailed("reading notifications failed") }
            if let notice = PQnotifies(handle) {
                defer { PQfreemem(notice) }
                return PostgresNotification(
                    channel: String(cString: notice.pointee.relname),
                    payload: String(cString: notice.pointee.extra),
                    senderPID: notice.pointee.be_pid)
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return nil }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno != EINTR {
                throw PostgresError(code: .connectionLost, message: "poll on the connection failed (errno \(errno))")
            }
        }
    }

    /// `PQescapeIdentifier`: the one way a run-time name enters statement text.
    func quotedIdentifier(_ name: String) throws -> String {
        let handle = try liveHandle()
        guard let escaped = PQescapeIdentifier(handle, name, name.utf8.count) else {
            throw PostgresError(code: .usage, message: "could not quote the identifier")
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }
}
