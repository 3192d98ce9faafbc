import Postgres

/// Applies `Schema/*.sql` in order, each file in its own transaction, under an advisory lock so that two
/// processes migrating at once take turns (the second finds nothing left to do). Each applied file is
/// recorded with its SHA-256; a file edited after it was applied is refused by name.
public struct Migrator: Sendable {
    /// The advisory-lock key migrations serialize on ("pw-migr").
    public static let lockKey: Int64 = 0x7077_2D6D_6967_72
    public let migrations: [Migration]

    public init(migrations: [Migration] = Migration.all) {
        self.migrations = migrations
    }

    /// Applies what is pending; returns the names applied (empty when the schema was current).
    @discardableResult
    public func migrate(on connection: Connection) throws -> [String] {
        try connection.advisoryLock(Self.lockKey)
        defer { _ = try? connection.advisoryUnlock(Self.lockKey) }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name        text PRIMARY KEY,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """)
        var applied: [String] = []
        for entry in try status(on: connection) {
            switch entry.state {
            case .applied: continue
            case .edited: throw MigrationError.edited(name: entry.name)
            case .unknown: throw MigrationError.unknown(name: entry.name)
            case .pending:
                guard let migration = migrations.first(where: { $0.name == entry.name }) else { continue }
                try connection.withTransaction { connection in
                    try connection.executeScript(migration.sql)
                    try connection.execute(
                        """
                        INSERT INTO schema_migrations (name, checksum)
                        VALUES (\(migration.name), encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex'))
                        """)
                }
                applied.append(migration.name)
            }
        }
        return applied
    }

    /// Every known file and every recorded one, with its state.
    public func status(on connection: Connection) throws -> [MigrationStatus] {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").scalar(Bool.self)
        var recorded: [String: (checksum: String, appliedAt: String)] = [:]
        if exists {
            for (name, checksum, appliedAt) in try connection.query(
                "SELECT name, checksum, to_char(applied_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM schema_migrations"
            ).decode((String, String, String).self) {
                recorded[name] = (checksum, appliedAt)
            }
        }
        var result: [MigrationStatus] = []
        for migration in migrations {
            guard let record = recorded.removeValue(forKey: migration.name) else {
                result.append(MigrationStatus(name: migration.name, state: .pending, appliedAt: nil))
                continue
            }
            let checksum = try connection.query(
                "SELECT encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex')"
            ).scalar(String.self)
            result.append(
                MigrationStatus(
                    name: migration.name, state: checksum == record.checksum ? .applied : .edited,
                    appliedAt: record.appliedAt))
        }
        for (name, record) in recorded.sorted(by: { $0.key < $1.key }) {
            result.append(MigrationStatus(name: name, state: .unknown, appliedAt: record.appliedAt))
        }
        return result
    }

    /// True when every file is applied, unedited, and the database knows no file this binary lacks.
    public func isCurrent(on connection: Connection) throws -> Bool {
        try status(on: connection).allSatisfy { $0.state == .applied }
    }
}

/// Where one schema file stands in a database.
public struct MigrationStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Applied, and the file is unchanged since.
        case applied
        /// Not applied yet.
        case pending
        /// Applied, but the file has changed since: refused.
        case edited
        /// Recorded in the database but unknown to this binary (a newer version migrated it).
        case unknown
    }
    public let name: String
    public let state: State
    /// RFC 3339 UTC, for applied (and edited or unknown) files.
    public let appliedAt: String?
}

/// Why migrating stopped.
public enum MigrationError: Error, Equatable, CustomStringConvertible {
    case edited(name: String)
    case unknown(name: String)

    public var description: String {
        switch self {
        case .edited(let name):
            "schema file \(name) was edited after it was applied; migrations are forward-only: restore it and add a new file"
        case .unknown(let name):
            "the database has migration \(name), which this pledgewatch does not know: it is older than the schema"
        }
    }
}
