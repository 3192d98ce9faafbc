import Foundation
import PledgeStore
import Postgres
import Testing
import TestSupport

@Suite("the migrator")
struct MigratorTests {
    @Test("every Schema/*.sql file is in the embedded list, in order")
    func everyFileIsListed() throws {
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Schema").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: schema.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(!files.isEmpty)
        #expect(Migration.all.map(\.name) == files)
        for migration in Migration.all {
            let onDisk = try String(contentsOf: schema.appendingPathComponent(migration.name), encoding: .utf8)
            #expect(onDisk == migration.sql, "the binary carries a stale copy of \(migration.name)")
        }
    }

    @Test("migrating applies each file once; the second run finds nothing to do")
    func appliesOnce() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            #expect(try Migrator().status(on: connection).allSatisfy { $0.state == .pending })
            #expect(try Migrator().migrate(on: connection) == Migration.all.map(\.name))
            #expect(try Migrator().migrate(on: connection) == [])
            #expect(try Migrator().isCurrent(on: connection))
            #expect(try connection.query("SELECT count(*) FROM schema_migrations").scalar(Int.self) == Migration.all.count)
        }
    }

    @Test("an applied file that was edited is refused by name, and nothing else is applied")
    func editedFileIsRefused() throws {
        try ScratchDatabase.with { database in
            let connection = try database.connect()
            var edited = Migration.all
            edited[0] = Migration(name: edited[0].name, sql: edited[0].sql + "\n-- a quiet edit\n")
            edited.append(Migration(name: "9999_later.sql", sql: "CREATE TABLE later (id int)"))
            let migrator = Migrator(migrations: edited)
            #expect(try migrator.status(on: connection).first?.state == .edited)
            #expect(throws: MigrationError.edited(name: Migration.all[0].name)) { try migrator.migrate(on: connection) }
            #expect(try connection.query("SELECT to_regclass('later') IS NULL").scalar(Bool.self))
            #expect(try !migrator.isCurrent(on: connection))
        }
    }

    @Test("a migration the binary does not know is reported, and migrating refuses to go on")
    func unknownMigration() throws {
        try ScratchDatabase.with { database in
            let connection = try database.connect()
            try connection.execute("INSERT INTO schema_migrations (name, checksum) VALUES ('9999_future.sql', 'x')")
            let last = try #require(try Migrator().status(on: connection).last)
            #expect(last.name == "9999_future.sql")
            #expect(last.state == .unknown)
            #expect(throws: MigrationError.unknown(name: "9999_future.sql")) { try Migrator().migrate(on: connection) }
        }
    }

    @Test("a failing file rolls back entirely and is not recorded")
    func failingFileRollsBack() throws {
        try ScratchDatabase.with { database in
            let connection = try database.connect()
            let broken = Migration.all + [Migration(name: "9000_broken.sql", sql: "CREATE TABLE half (id int); SELECT * FROM no_such_table;")]
            #expect(throws: PostgresError.self) { try Migrator(migrations: broken).migrate(on: connection) }
            #expect(try connection.query("SELECT to_regclass('half') IS NULL").scalar(Bool.self))
            #expect(try Migrator(migrations: broken).status(on: connection).last?.state == .pending)
        }
    }
}
