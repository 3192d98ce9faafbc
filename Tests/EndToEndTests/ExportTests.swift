import Foundation
import Synchronization
import Testing
import Postgres
import TestSupport

@testable import PledgeCore
@testable import PledgeService

/// `export`: the dashboard document, validated against Schema/dashboard.schema.json by a real validator.
@Suite("export")
struct ExportTests {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Schema/dashboard.schema.json").standardized.path

    /// Validates with Python's jsonschema (Draft 2020-12, formats checked); returns the validator's complaint.
    static func validate(_ path: String) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(json.load(open(sys.argv[2])))
            print("valid")
            """,
            schema, path,
        ]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// How a blocked export ended.
    struct Ended {
        let reason: Process.TerminationReason
        let status: Int32
        let stderr: String
    }

    /// Runs `export --out path` with the assessments locked, so that it waits at its first read of them
    /// (after making its temporary file; an export right after an evaluation reads no ledger entry), and calls `act` with the process and the export's backend while it
    /// waits; then lets go of the lock (also when `act` throws), waits for the process and says how it
    /// ended. The signals are at their default actions in it, whatever this test process inherited.
    private func blockedExport(
        _ db: ScratchDatabase, out path: String, _ act: (Process, _ backend: Int, _ locker: Connection) async throws -> Void
    ) async throws -> Ended {
        let locker = try db.connect()
        try locker.execute("BEGIN")
        try locker.execute("LOCK TABLE assessment IN ACCESS EXCLUSIVE MODE")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [Pledgewatch.defaultSignals, Pledgewatch.binary.path, "export", "--out", path]
        process.environment = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": db.conninfo]) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        do {
            var backend: Int?
            let waiting = try await eventually {
                // (This database's: the others are copies of one template, their tables' oids the same.)
                backend = try locker.query(
                    """
                    SELECT pid FROM pg_locks
                    WHERE NOT granted AND relation = 'assessment'::regclass
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """
                ).first?.decode(Int.self)
                return backend != nil
            }
            #expect(waiting)
            if let backend { try await act(process, backend, locker) }
        } catch {
            locker.close()
            process.waitUntilExit()
            throw error
        }
        // The lock goes before the wait: an export still waiting for the assessments then ends.
        locker.close()
        process.waitUntilExit()
        try errors.fileHandleForWriting.close()
        return Ended(
            reason: process.terminationReason, status: process.terminationStatus,
            stderr: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test(
        "an export ended by SIGTERM, SIGINT or SIGHUP half-way removes its temporary file and leaves the old file as it was",
        arguments: [SIGTERM, SIGINT, SIGHUP])
    func signalledExportLeavesNoTemporaryFile(signal: Int32) async throws {
        try await ScratchDatabase.with { db in
            #expect(try Pledgewatch.run(["seed"], database: db.conninfo).status == 0)
            #expect(try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo).status == 0)
            try await withScratchDirectory { directory in
                let path = directory.appendingPathComponent("dashboard.json").path
                try Data("the previous dashboard\n".utf8).write(to: URL(fileURLWithPath: path))
                let ended = try await blockedExport(db, out: path) { process, _, _ in
                    let during = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                    #expect(during.count == 2 && during.contains { $0.hasPrefix(".dashboard.json.tmp-") }, "\(during)")
                    kill(process.processIdentifier, signal)
                }
                // Ended by the signal itself, as without the handler.
                #expect(ended.reason == .uncaughtSignal && ended.status == signal, "\(ended)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["dashboard.json"])
                #expect(try String(contentsOfFile: path, encoding: .utf8) == "the previous dashboard\n")
            }
        }
    }

    @Test("a session the server ends half-way (pg_terminate_backend, a shutdown) is 'database unavailable' (69), not an unexpected failure")
    func terminatedSessionIsUnavailable() async throws {
        try await ScratchDatabase.with { db in
            #expect(try Pledgewatch.run(["seed"], database: db.conninfo).status == 0)
            try await withScratchDirectory { directory in
                let path = directory.appendingPathComponent("dashboard.json").path
                let ended = try await blockedExport(db, out: path) { _, backend, locker in
                    try locker.query("SELECT pg_terminate_backend(\(backend)::int)")
                }
                #expect(ended.reason == .exit && ended.status == 69, "\(ended)")
                // Whether the server's own message (57P01) arrives before the socket closes depends on where
                // the session was; either way the database is unavailable, not the command broken.
                #expect(ended.stderr.hasPrefix("pledgewatch: database unavailable: "), "\(ended.stderr)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
            }
        }
    }

    @Test("export --out /dev/stdout writes to the standard output the shell opened (appending to a log), not over the file")
    func outToStandardOutput() throws {
        try ScratchDatabase.with { db in
            #expect(try Pledgewatch.run(["seed"], database: db.conninfo).status == 0)
            try withScratchDirectory { directory in
                let log = directory.appendingPathComponent("run.log").path
                try Data("an earlier line\n".utf8).write(to: URL(fileURLWithPath: log))
                var before = stat()
                #expect(stat(log, &before) == 0)
                let handle = try #require(FileHandle(forUpdatingAtPath: log))
                try handle.seekToEnd()
                let result = try Pledgewatch.run(["export", "--out", "/dev/stdout"], database: db.conninfo, stdout: handle)
                try handle.close()
                #expect(result.status == 0, "\(result)")
                let document = try Pledgewatch.run(["export"], database: db.conninfo).stdout
                #expect(try String(contentsOfFile: log, encoding: .utf8) == "an earlier line\n" + document)
                var after = stat()
                #expect(stat(log, &after) == 0 && after.st_ino == before.st_ino, "the same file, not a new one renamed over it")
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["run.log"])
            }
        }
    }

    @Test("evaluate then export: valid against the schema, byte-identical across two runs, written atomically")
    func exportIsValidAndStable() throws {
        try ScratchDatabase.with { db in
            #expect(try Pledgewatch.run(["seed"], database: db.conninfo).status == 0)
            #expect(try Pledgewatch.run(["fx", "set", "EUR", "USD", "1.08", "--on", "2023-11-01"], database: db.conninfo).status == 0)
            for _ in 0..<2 { _ = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo) }
            try withScratchDirectory { directory in
                let first = directory.appendingPathComponent("dashboard.json").path
                let write = try Pledgewatch.run(["export", "--out", first], database: db.conninfo)
                #expect(write.status == 0, "\(write)")
                #expect(write.stdout.isEmpty)
                let second = try Pledgewatch.run(["export"], database: db.conninfo)
                let written = try Data(contentsOf: URL(fileURLWithPath: first))
                #expect(written == Data(second.stdout.utf8), "two exports of the same state are byte-identical")
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["dashboard.json"], "no temporary file left")
                let validation = try Self.validate(first)
                #expect(validation.status == 0, "\(validation.stderr)")

                let document = try JSONSerialization.jsonObject(with: written) as? [String: Any]
                #expect(document?["apiVersion"] as? String == "pledgewatch/v1")
                #expect(document?["asOf"] as? String == "2023-11-14")
                let pledges = document?["pledges"] as? [[String: Any]] ?? []
                #expect(pledges.map { $0["id"] as? String } == ["de-8bn-2024", "eu-1m-rounds", "eu-20bn-military-aid", "eu-rdc-5000-troops"])
                let eu = pledges.first { $0["id"] as? String == "eu-1m-rounds" }
                #expect(eu?["status"] as? String == "likely_miss")
                #expect(pledges.allSatisfy { $0["assessmentSource"] as? String == "evaluation" })
                #expect((eu?["timeline"] as? [[String: Any]])?.count == 2)
                #expect((eu?["openAlerts"] as? [String])?.count == 1)
                let summary = document?["summary"] as? [String: Any]
                #expect(summary?["firingAlerts"] as? Int == 2)
                let donors = summary?["byDonor"] as? [[String: Any]] ?? []
                #expect(donors.map { $0["key"] as? String } == ["European Union", "Germany"])
            }
        }
    }

    @Test("filters and backtests: --pledge, --donor and --as-of; an unknown pledge is 66; bad currency is 65")
    func filters() throws {
        try ScratchDatabase.with { db in
            #expect(try Pledgewatch.run(["seed"], database: db.conninfo).status == 0)
            let one = try Pledgewatch.run(["export", "--as-of", "2024-06-01", "--pledge", "eu-1m-rounds"], database: db.conninfo)
            let document = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any]
            let pledges = document?["pledges"] as? [[String: Any]] ?? []
            #expect(pledges.count == 1)
            #expect(pledges.first?["status"] as? String == "missed")
            let germany = try Pledgewatch.run(["export", "--as-of", "2024-06-01", "--donor", "Germany"], database: db.conninfo)
            #expect(germany.stdout.contains("de-8bn-2024"))
            #expect(!germany.stdout.contains("eu-1m-rounds"))
            #expect(try Pledgewatch.run(["export", "--pledge", "nope"], database: db.conninfo).status == 66)
            #expect(try Pledgewatch.run(["export", "--reporting-currency", "euro"], database: db.conninfo).status == 65)
            // The daemon's variable applies to the exported file too, so both give the same document; the flag wins.
            #expect(try Pledgewatch.run(["fx", "set", "EUR", "USD", "1.08", "--on", "2023-11-01"], database: db.conninfo).status == 0)
            func currencies(_ arguments: [String], _ environment: [String: String]) throws -> Set<String> {
                let result = try Pledgewatch.run(arguments, database: db.conninfo, environment: environment)
                #expect(result.status == 0, "\(result)")
                let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
                let donors = (document?["summary"] as? [String: Any])?["byDonor"] as? [[String: Any]] ?? []
                return Set(donors.compactMap { ($0["pledged"] as? [String: Any])?["currency"] as? String })
            }
            #expect(try currencies(["export", "--as-of", "2024-06-01"], ["PLEDGEWATCH_REPORTING_CURRENCY": "USD"]) == ["USD"])
            #expect(
                try currencies(["export", "--as-of", "2024-06-01", "--reporting-currency", "EUR"], ["PLEDGEWATCH_REPORTING_CURRENCY": "USD"])
                    == ["EUR"])
            #expect(try Pledgewatch.run(["export"], database: db.conninfo, environment: ["PLEDGEWATCH_REPORTING_CURRENCY": "euro"]).status == 65)
        }
    }

    @Test(
        "the streamed export is byte for byte the whole document's rendering: with and without pledges, alerts, filters, as-of",
        arguments: [
            (nil, DashboardService.Filter()), ("2023-11-14", DashboardService.Filter()),
            (nil, DashboardService.Filter(donors: ["Germany"])), (nil, DashboardService.Filter(donors: ["Nobody"])),
            ("2024-06-01", DashboardService.Filter(pledgeIDs: ["eu-1m-rounds", "de-8bn-2024"])),
        ] as [(String?, DashboardService.Filter)])
    func streamedEqualsWhole(_ asOf: String?, _ filter: DashboardService.Filter) throws {
        try ScratchDatabase.with { db in
            #expect(try Pledgewatch.run(["seed"], database: db.conninfo).status == 0)
            #expect(try Pledgewatch.run(["fx", "set", "EUR", "USD", "1.08", "--on", "2023-11-01"], database: db.conninfo).status == 0)
            for _ in 0..<2 { _ = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo) }
            let service = DashboardService(connection: try db.connect())
            let date = asOf.flatMap { CalendarDate(iso: $0) }
            var streamed = Data()
            var pieces = 0
            try service.write(asOf: date, filter: filter) { piece in
                streamed.append(contentsOf: piece)
                pieces += 1
            }
            let whole = try service.document(asOf: date, filter: filter)
            #expect(streamed == (try DashboardDocument.encoder.encode(whole)) + [0x0A])
            // The head, a batch of alerts, the fields between the lists, a batch of entries, the tail.
            #expect(pieces == 3 + (whole.alerts.isEmpty ? 0 : 1) + (whole.pledges.isEmpty ? 0 : 1))
            #expect(try JSONDecoder().decode(DashboardDocument.self, from: streamed) == whole)
        }
    }

    @Test("--out into a directory that does not exist is not found (66), naming the path")
    func outIntoMissingDirectory() throws {
        try ScratchDatabase.with { db in
            #expect(try Pledgewatch.run(["seed"], database: db.conninfo).status == 0)
            let path = "/nonexistent-\(UUID().uuidString)/dashboard.json"
            let result = try Pledgewatch.run(["export", "--out", path], database: db.conninfo)
            #expect(result.status == 66, "\(result)")
            #expect(result.stderr.contains(path), "\(result.stderr)")
        }
    }

    /// 1,203 pledges (p-00001 …), nothing delivered, evaluated a year and a half in: every pledge is stalled,
    /// each with an open alert.
    static func manyStalledPledges(_ db: ScratchDatabase) throws -> Connection {
        #expect(try Pledgewatch.run(["migrate"], database: db.conninfo).status == 0)
        let connection = try db.connect()
        try connection.execute("INSERT INTO party (name) VALUES ('Donor')")
        try connection.execute(
            """
            INSERT INTO pledge (public_id, donor_id, recipient, title, category, unit, unit_scale, announced_on, counts_from,
                                status, created_by)
            SELECT 'p-' || lpad(i::text, 5, '0'), (SELECT id FROM party), 'Ukraine', 'Pledge ' || i, 'military', 'rounds', 0,
                   date '2023-01-01', date '2023-01-01', 'committed', 'test'
            FROM generate_series(1, 1203) i
            """)
        try connection.execute(
            """
            INSERT INTO pledge_terms (pledge_id, revision, target, deadline, effective_on, recorded_by)
            SELECT id, 1, 1000, date '2024-12-31', date '2023-01-01', 'test' FROM pledge
            """)
        _ = try Evaluator(connection: connection).run(asOf: CalendarDate(iso: "2024-06-30")!)
        return connection
    }

    @Test("1,203 pledges with an open alert each: the alert cursor's and the entries' batches join into the whole document's bytes")
    func manyBatches() throws {
        try ScratchDatabase.with { db in
            let connection = try Self.manyStalledPledges(db)
            let service = DashboardService(connection: connection)
            var streamed = Data()
            try service.write { streamed.append(contentsOf: $0) }
            let whole = try service.document()
            #expect(whole.pledges.count == 1203)
            #expect(whole.alerts.count == 1203)
            #expect(whole.alerts.map { $0.labels["pledge"] ?? "" } == whole.pledges.map(\.id), "alerts follow the pledges' order")
            #expect(whole.pledges.allSatisfy { $0.openAlerts.count == 1 })
            #expect(whole.pledges.allSatisfy { $0.assessmentSource == "evaluation" }, "nothing changed since the evaluation")
            let encoded = try DashboardDocument.encoder.encode(whole) + [0x0A]
            #expect(streamed == encoded)

            // The daemon's cache from the same document (3 MB: many pieces): the encoder's bytes and ETags,
            // the pledge list sent as its frame around the dashboard's own bytes.
            let snapshot = try DashboardCache.Snapshot(version: "test", document: whole)
            #expect(Data(try #require(snapshot.responses.plain.body).readableBytesView) == encoded)
            #expect(snapshot.responses.etag == "\"" + ETag.hash(encoded) + "\"")
            let list = try DashboardDocument.encoder.encode(DashboardRendering.PledgeList(items: whole.pledges)) + [0x0A]
            #expect(snapshot.pledgeList.parts.count == 3)
            #expect(snapshot.pledgeList.data == list)
            #expect(snapshot.pledgeList.etag == "\"l" + ETag.hash(list) + "\"")
            let alerts = try DashboardDocument.encoder.encode(DashboardRendering.AlertList(alerts: whole.alerts)) + [0x0A]
            #expect(snapshot.alertLists["open"]?.data == alerts)
            #expect(snapshot.alertLists["open"]?.etag == "\"a" + ETag.hash(alerts) + "\"")
        }
    }

    @Test(
        "a stored assessment that cannot be read: the export fails, naming it, and leaves no file, no temporary and a usable connection",
        arguments: [
            "p-00001",  // the first batch: it fails with a later batch's statement still in flight
            "p-00777",  // a later batch
        ])
    func unreadableStoredAssessment(_ broken: String) throws {
        try ScratchDatabase.with { db in
            let connection = try Self.manyStalledPledges(db)
            try connection.execute(
                """
                UPDATE assessment SET summary = '{"broken": true}'
                WHERE pledge_id = (SELECT id FROM pledge WHERE public_id = \(broken))
                """)
            try withScratchDirectory { directory in
                let path = directory.appendingPathComponent("dashboard.json").path
                let result = try Pledgewatch.run(["export", "--out", path], database: db.conninfo)
                #expect(result.status == 1, "\(result)")
                #expect(result.stdout.isEmpty)
                #expect(result.stderr.hasPrefix("pledgewatch: database error: the stored assessment of \(broken) cannot be read"), "\(result.stderr)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "neither the file nor a temporary")
                // The daemon's path (the whole document in memory) fails the same way, and the connection is left usable.
                #expect(throws: (any Error).self) { try DashboardService(connection: connection).document() }
                #expect(try connection.query("SELECT count(*) FROM pledge").scalar(Int.self) == 1203)
            }
        }
    }

    @Test("alerts in the document: a silence marks only the rule it covers; --pledge and --donor keep only the shown pledges' alerts")
    func alertsSilencedAndFiltered() throws {
        try ScratchDatabase.with { db in
            func run(_ arguments: [String]) throws -> CommandResult {
                let result = try Pledgewatch.run(arguments, database: db.conninfo)
                #expect(result.status == 0, "\(arguments): \(result)")
                return result
            }
            _ = try run(["seed"])
            for _ in 0..<2 { _ = try run(["evaluate", "--as-of", "2023-11-14"]) }
            // Another rule of one pledge, and the very rule of the other.
            _ = try run(["silence", "add", "--pledge", "eu-1m-rounds", "--rule", "stalled", "--until", "2099-12-31", "--reason", "other rule"])
            _ = try run(["silence", "add", "--pledge", "eu-rdc-5000-troops", "--rule", "stalled", "--until", "2099-12-31", "--reason", "briefed"])
            func alerts(_ arguments: [String]) throws -> [String: Bool] {
                let document = try JSONSerialization.jsonObject(with: Data(try run(["export"] + arguments).stdout.utf8)) as? [String: Any]
                let alerts = document?["alerts"] as? [[String: Any]] ?? []
                return Dictionary(uniqueKeysWithValues: alerts.map { alert in
                    let labels = alert["labels"] as? [String: String] ?? [:]
                    return ("\(labels["pledge"] ?? "")/\(labels["rule"] ?? "")", alert["silenced"] as? Bool ?? false)
                })
            }
            #expect(try alerts([]) == ["eu-1m-rounds/likely_miss": false, "eu-rdc-5000-troops/stalled": true])
            #expect(try alerts(["--pledge", "eu-1m-rounds"]) == ["eu-1m-rounds/likely_miss": false])
            #expect(try alerts(["--pledge", "eu-rdc-5000-troops", "--pledge", "de-8bn-2024"]) == ["eu-rdc-5000-troops/stalled": true])
            #expect(try alerts(["--donor", "Germany"]) == [:])
        }
    }

    @Test("a sink that fails half-way: its error comes back, it is not called again, nothing is left running and the connection answers")
    func failingSink() throws {
        struct Full: Error {}
        try ScratchDatabase.with { db in
            let connection = try Self.manyStalledPledges(db)
            let calls = Mutex(0)
            let error = #expect(throws: Full.self) {
                try DashboardService(connection: connection).write { _ in
                    let call = calls.withLock { calls in
                        calls += 1
                        return calls
                    }
                    if call == 3 { throw Full() }
                }
            }
            #expect(error != nil)
            #expect(calls.withLock { $0 } == 3)
            #expect(try connection.query("SELECT count(*) FROM pledge").scalar(Int.self) == 1203)
            // And the next document on the same connection is whole.
            var whole = Data()
            try DashboardService(connection: connection).write { whole.append(contentsOf: $0) }
            #expect(try JSONDecoder().decode(DashboardDocument.self, from: whole).pledges.count == 1203)
        }
    }

    @Test("batches: about eight of them, 50 to 500 pledges each, so the stages overlap on a small ledger and memory stays flat on a large one")
    func batchSizes() {
        for (pledges, size) in [(0, 50), (4, 50), (200, 50), (401, 51), (1_203, 151), (4_000, 500), (10_000, 500), (100_000, 500)] {
            #expect(DashboardService.batchSize(pledges: pledges) == size, "\(pledges)")
        }
    }

    /// The pledge entries of an export, by id.
    static func entries(_ result: CommandResult) throws -> [String: [String: Any]] {
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let pledges = document?["pledges"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: pledges.map { ($0["id"] as? String ?? "", $0) })
    }

    @Test("a pledge whose ledger, terms or commitment changed after the evaluation is assessed afresh, with the run's policy; the rest stay as stored")
    func changedSinceEvaluation() throws {
        try ScratchDatabase.with { db in
            func run(_ arguments: [String]) throws -> CommandResult {
                let result = try Pledgewatch.run(arguments, database: db.conninfo)
                #expect(result.status == 0, "\(arguments): \(result)")
                return result
            }
            // A policy under which the EU's shells (P(on time) about 0.06) are neither likely to miss nor at risk.
            let evaluate = ["evaluate", "--as-of", "2023-11-14", "--likely-miss-below", "0.01", "--at-risk-below", "0.02"]
            _ = try run(["seed"])
            _ = try run(evaluate)
            let before = try Self.entries(try run(["export"]))
            #expect(before.values.allSatisfy { $0["assessmentSource"] as? String == "evaluation" })
            let storedStatus = (before["eu-1m-rounds"]?["assessment"] as? [String: Any])?["status"] as? String
            #expect(storedStatus != "likely_miss" && storedStatus != "at_risk", "\(storedStatus ?? "nil")")

            // What the run's as-of day does not see leaves its assessments alone.
            _ = try run(["delivery", "record", "eu-20bn-military-aid", "--quantity", "5", "--on", "2024-01-02"])
            _ = try run(["pledge", "amend", "eu-1m-rounds", "--deadline", "2024-12-31", "--effective", "2024-01-01", "--reason", "later"])
            #expect(try Self.entries(try run(["export"])).values.allSatisfy { $0["assessmentSource"] as? String == "evaluation" })

            _ = try run(["delivery", "record", "eu-1m-rounds", "--quantity", "5000", "--on", "2023-11-14"])
            _ = try run(["pledge", "amend", "de-8bn-2024", "--target", "9000000000", "--effective", "2023-11-14", "--reason", "raised"])
            _ = try run(["pledge", "withdraw", "eu-rdc-5000-troops", "--reason", "no troops"])
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("pw-changed-\(UUID()).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            _ = try run(["export", "--out", path])
            let validation = try Self.validate(path)
            #expect(validation.status == 0, "\(validation.stderr)")
            let afterChange = try Self.entries(CommandResult(status: 0, stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self), stderr: ""))
            #expect(afterChange["eu-1m-rounds"]?["assessmentSource"] as? String == "live")
            #expect(afterChange["de-8bn-2024"]?["assessmentSource"] as? String == "live")
            #expect(afterChange["eu-20bn-military-aid"]?["assessmentSource"] as? String == "evaluation")
            #expect(afterChange["eu-rdc-5000-troops"]?["assessmentSource"] as? String == "live")
            #expect((afterChange["eu-rdc-5000-troops"]?["assessment"] as? [String: Any])?["status"] as? String == "withdrawn")
            // The entry agrees with itself: its assessment is of the timeline and the terms it shows.
            let eu = afterChange["eu-1m-rounds"]
            let euAssessment = eu?["assessment"] as? [String: Any]
            let lastPoint = (eu?["timeline"] as? [[String: Any]])?.last
            #expect(euAssessment?["delivered"] as? String == lastPoint?["cumulative"] as? String)
            #expect(euAssessment?["delivered"] as? String == "305000")
            #expect(euAssessment?["status"] as? String == storedStatus, "assessed with the run's policy, not the default")
            let germany = afterChange["de-8bn-2024"]
            #expect((germany?["assessment"] as? [String: Any])?["target"] as? String == "9000000000")
            #expect((germany?["currentTerms"] as? [String: Any])?["target"] as? String == "9000000000")

            // The next evaluation stores exactly what the document showed.
            _ = try run(evaluate)
            let evaluated = try Self.entries(try run(["export"]))
            #expect(evaluated.values.allSatisfy { $0["assessmentSource"] as? String == "evaluation" })
            for id in ["eu-1m-rounds", "de-8bn-2024", "eu-rdc-5000-troops"] {
                let live = afterChange[id]?["assessment"] as? NSDictionary
                let stored = evaluated[id]?["assessment"] as? NSDictionary
                #expect(live != nil && live == stored, "\(id)")
            }

            // A backtest assesses every entry, with the default thresholds whatever the last run used.
            let backtest = try Self.entries(try run(["export", "--as-of", "2023-11-14"]))
            #expect(backtest.values.allSatisfy { $0["assessmentSource"] as? String == "live" })
            #expect((backtest["eu-1m-rounds"]?["assessment"] as? [String: Any])?["status"] as? String == "likely_miss")

            // A run stored before migration 0007 recorded no fingerprints and no policy: its assessments are
            // shown as stored, even for a pledge that changed since.
            let connection = try db.connect()
            try connection.execute("DELETE FROM evaluation_run")
            try connection.execute("UPDATE assessment SET inputs_fingerprint = NULL")
            _ = try run(["delivery", "record", "eu-1m-rounds", "--quantity", "1000", "--on", "2023-11-14"])
            let legacy = try Self.entries(try run(["export"]))
            #expect(legacy.values.allSatisfy { $0["assessmentSource"] as? String == "evaluation" })
            #expect(legacy.mapValues { $0["assessment"] as? NSDictionary } == evaluated.mapValues { $0["assessment"] as? NSDictionary })
        }
    }
}
