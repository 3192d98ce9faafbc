import Dispatch
import Synchronization

/// A small pool of connections shared by concurrent tasks.
///
/// libpq blocks, so each connection has its own serial `DispatchQueue` and every call on it runs there,
/// never on Swift's cooperative thread pool. A connection that broke (server restart, network) is
/// closed instead of being returned to the pool, and the next caller gets a new one; the caller whose
/// statement hit the break gets a `.connectionLost` error.
public final class PostgresClient: Sendable {
    /// The connection settings used for every connection in the pool.
    public let configuration: ConnectionConfiguration
    /// The most connections open at once.
    public let maxConnections: Int

    private let state = Mutex(State())

    private struct State: ~Copyable {
        var idle: [PooledConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<Lease, any Error>] = []
        var closed = false
    }

    private enum Lease: Sendable {
        case existing(PooledConnection)
        case newSlot
    }

    public init(configuration: ConnectionConfiguration = .resolve(), maxConnections: Int = 4) {
        self.configuration = configuration
        self.maxConnections = max(1, maxConnections)
    }

    deinit { close() }

    /// Runs `body` with a connection of its own, on that connection's queue.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let pooled = try await acquire()
        do {
            let value = try await pooled.run(body)
            release(pooled)
            return value
        } catch {
            release(pooled)
            throw error
        }
    }

    /// Runs `body` in a transaction on a pooled connection.
    public func withTransaction<T: Sendable>(
        isolation: IsolationLevel = .readCommitted, retries: Int = 0,
        _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try connection.withTransaction(isolation: isolation, retries: retries, body)
        }
    }

    /// One statement on a pooled connection.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withConnection { try $0.query(query) }
    }

    /// Closes idle connections and refuses new work; connections in use close when returned.
    public func close() {
        let (idle, waiters) = state.withLock { state -> ([PooledConnection], [CheckedContinuation<Lease, any Error>]) in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            state.open -= state.idle.count
            return (state.idle, state.waiters)
        }
        idle.forEach { $0.close() }
        waiters.forEach { $0.resume(throwing: PostgresError(code: .usage, message: "the client is closed")) }
    }

    /// The number of connections currently open (idle or in use).
    public var openConnections: Int { state.withLock { $0.open } }

    private func acquire() async throws -> PooledConnection {
        let lease = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
            let immediate: Result<Lease, PostgresError>? = state.withLock { state in
                if state.closed { return .failure(PostgresError(code: .usage, message: "the client is closed")) }
                if let connection = state.idle.popLast() { return .success(.existing(connection)) }
                if state.open < maxConnections {
                    state.open += 1
                    return .success(.newSlot)
                }
                state.waiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
        switch lease {
        case .existing(let connection):
            return connection
        case .newSlot:
            do {
                return try await PooledConnection.open(configuration)
            } catch {
                slotFreed()
                throw error
            }
        }
    }

    private func release(_ pooled: PooledConnection) {
        guard pooled.isUsable else {
            pooled.close()
            slotFreed()
            return
        }
        let handOff: CheckedContinuation<Lease, any Error>? = state.withLock { state in
            if state.closed {
                state.open -= 1
                return nil
            }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(pooled)
            return nil
        }
        if let handOff {
            handOff.resume(returning: .existing(pooled))
        } else if state.withLock({ $0.closed }) {
            pooled.close()
        }
    }

    /// A connection closed or failed to open: a waiter, if any, may open a new one in its place.
    private func slotFreed() {
        let waiter: CheckedContinuation<Lease, any Error>? = state.withLock { state in
            if !state.waiters.isEmpty, !state.closed { return state.waiters.removeFirst() }
            state.open -= 1
            return nil
        }
        waiter?.resume(returning: .newSlot)
    }
}

/// A connection and the serial queue all of its calls run on.
final class PooledConnection: Sendable {
    private let connection: Connection
    private let queue: DispatchQueue

    private init(connection: Connection, queue: DispatchQueue) {
        self.connection = connection
        self.queue = queue
    }

    static func open(_ configuration: ConnectionConfiguration) async throws -> PooledConnection {
        let queue = DispatchQueue(label: "pledgewatch.postgres.connection")
        let connection = try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try Connection(configuration) }) }
        }
        return PooledConnection(connection: connection, queue: queue)
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.connection) }) }
        }
    }

    var isUsable: Bool { queue.sync { connection.isUsable } }

    func close() { queue.async { self.connection.close() } }
}
