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

    @Test("0008 fills alert.notified from the history: firing, and its current episode's firing told unsilenced")
    func notifiedBackfill() throws {
        try ScratchDatabase.with(migrated: false) { database in
            let connection = try database.connect()
            try Migrator(migrations: Migration.all.filter { $0.name < "0008" }).migrate(on: connection)
            try connection.executeScript(
                """
                INSERT INTO party (name) VALUES ('Donor');
                INSERT INTO pledge (public_id, donor_id, recipient, title, category, unit, unit_scale, announced_on, counts_from,
                                    status, created_by)
                VALUES ('p', 1, 'Ukraine', 'A pledge', 'military', 'rounds', 0, '2024-01-01', '2024-01-01', 'committed', 'test');
                INSERT INTO silence (pledge_id, rule, until, reason, created_by) VALUES (1, NULL, '2024-02-01', 'briefed', 'test');
                INSERT INTO alert (fingerprint, pledge_id, rule, state, labels, annotations) VALUES
                    ('told', 1, 'likely_miss', 'firing', '{}', '{}'),
                    ('silenced', 1, 'missed', 'firing', '{}', '{}'),
                    ('told-last-episode', 1, 'stalled', 'firing', '{}', '{}'),
                    ('pending-again', 1, 'at_risk', 'pending', '{}', '{}'),
                    ('no-history', 1, 'met', 'firing', '{}', '{}');
                INSERT INTO alert_event (fingerprint, run_id, as_of, from_state, to_state, notification, silenced_by, annotations)
                SELECT f, gen_random_uuid(), '2024-01-10', s.from_state, s.to_state, s.notification, s.silenced_by, '{}'
                FROM (VALUES
                    (1, 'told', 'inactive', 'pending', NULL, NULL), (2, 'told', 'pending', 'firing', 'firing', NULL),
                    (3, 'silenced', 'inactive', 'pending', NULL, NULL), (4, 'silenced', 'pending', 'firing', 'firing', 1),
                    (5, 'told-last-episode', 'inactive', 'pending', NULL, NULL),
                    (6, 'told-last-episode', 'pending', 'firing', 'firing', NULL),
                    (7, 'told-last-episode', 'firing', 'inactive', 'resolved', NULL),
                    (8, 'told-last-episode', 'inactive', 'pending', NULL, NULL),
                    (9, 'told-last-episode', 'pending', 'firing', 'firing', 1),
                    (10, 'pending-again', 'inactive', 'pending', NULL, NULL),
                    (11, 'pending-again', 'pending', 'firing', 'firing', NULL),
                    (12, 'pending-again', 'firing', 'inactive', 'resolved', NULL),
                    (13, 'pending-again', 'inactive', 'pending', NULL, NULL)
                ) AS s (n, f, from_state, to_state, notification, silenced_by)
                ORDER BY s.n;
                """)
            #expect(try Migrator().migrate(on: connection) == Migration.all.filter { $0.name >= "0008" }.map(\.name))
            let notified = Dictionary(
                uniqueKeysWithValues: try connection.query("SELECT fingerprint, notified FROM alert").decode((String, Bool).self).map { ($0.0, $0.1) })
            #expect(notified == ["told": true, "silenced": false, "told-last-episode": false, "pending-again": false, "no-history": false])
        }
    }
}
