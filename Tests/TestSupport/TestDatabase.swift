import Foundation
import PledgeStore
import Postgres

/// Finds the test server and makes a throwaway database per test, cloned from a migrated template.
///
/// The server comes from `PLEDGEWATCH_TEST_DATABASE_URL`, else `DATABASE_URL`, else libpq's `PG*`
/// variables. With no server reachable the tests fail (they never skip) and say how to start one.
public enum TestDatabase {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var template: String?
    nonisolated(unsafe) private static var counter = 0

    /// The server's maintenance database.
    public static func server() throws -> ConnectionConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let explicit = environment["PLEDGEWATCH_TEST_DATABASE_URL"] ?? environment["DATABASE_URL"]
        let configuration = ConnectionConfiguration.resolve(explicit: explicit)
        do {
            _ = try Connection(configuration)
        } catch {
            throw TestSetupError(
                message: """
                    no PostgreSQL server for the tests (\(configuration.target)): run Scripts/test, \
                    or Scripts/pg start && export DATABASE_URL=$(Scripts/pg url) and then swift test. \
                    The error was: \(String(reflecting: error))
                    """)
        }
        return configuration
    }

    /// A new, empty or migrated database; drop it with `drop(_:)` when done.
    public static func create(migrated: Bool = true) throws -> ConnectionConfiguration {
        let server = try server()
        lock.lock()
        defer { lock.unlock() }
        counter += 1
        let name = "pw_test_\(getpid())_\(counter)_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try Connection(server)
        defer { admin.close() }
        if migrated {
            let template = try migratedTemplate(server: server, admin: admin)
            try admin.executeScript("CREATE DATABASE \(name) TEMPLATE \(template)")
        } else {
            try admin.executeScript("CREATE DATABASE \(name)")
        }
        return server.with(database: name)
    }

    /// Drops a database made by `create`, disconnecting whoever is still on it.
    public static func drop(_ configuration: ConnectionConfiguration) {
        guard let server = try? server(), let admin = try? Connection(server) else { return }
        let name = configuration.target.database
        guard name.hasPrefix("pw_test_") else { return }
        _ = try? admin.executeScript("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    private static func migratedTemplate(server: ConnectionConfiguration, admin: Connection) throws -> String {
        if let template { return template }
        let name = "pw_test_template_\(getpid())"
        try admin.executeScript("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try admin.executeScript("CREATE DATABASE \(name)")
        do {
            let connection = try Connection(server.with(database: name))
            defer { connection.close() }
            try Migrator().migrate(on: connection)
        }
        template = name
        return name
    }
}

/// A throwaway database for one test: `try ScratchDatabase.with { db in … }`.
public struct ScratchDatabase: Sendable {
    public let configuration: ConnectionConfiguration

    /// A connection of the test's own.
    public func connect() throws -> Connection { try Connection(configuration) }

    /// The database's URL-free conninfo, for child processes (`DATABASE_URL`).
    public var conninfo: String { configuration.conninfo }

    /// Runs `body` with a fresh database (migrated unless `migrated` is false), then drops it.
    public static func with<T>(migrated: Bool = true, _ body: (ScratchDatabase) throws -> T) throws -> T {
        let database = ScratchDatabase(configuration: try TestDatabase.create(migrated: migrated))
        defer { TestDatabase.drop(database.configuration) }
        return try body(database)
    }

    /// The async form.
    public static func with<T>(migrated: Bool = true, _ body: (ScratchDatabase) async throws -> T) async throws -> T {
        let database = ScratchDatabase(configuration: try TestDatabase.create(migrated: migrated))
        defer { TestDatabase.drop(database.configuration) }
        return try await body(database)
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
