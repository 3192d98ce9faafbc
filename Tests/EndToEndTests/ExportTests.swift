import Foundation
import PledgeCore
import PledgeService
import Testing
import TestSupport

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

    @Test("evaluate then export: valid against the schema, byte-identical across two runs, written atomically")
    func exportIsValidAndStable() throws {
        try ScratchDatabase.with { db in
            #expect(try Pledgewatch.run(["seed"], database: db.conninfo).status == 0)
            #expect(try Pledgewatch.run(["fx", "set", "EUR", "USD", "1.08", "--on", "2023-11-01"], database: db.conninfo).status == 0)
            for _ in 0..<2 { _ = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo) }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pw-export-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
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
            #expect((eu?["timeline"] as? [[String: Any]])?.count == 2)
            #expect((eu?["openAlerts"] as? [String])?.count == 1)
            let summary = document?["summary"] as? [String: Any]
            #expect(summary?["firingAlerts"] as? Int == 2)
            let donors = summary?["byDonor"] as? [[String: Any]] ?? []
            #expect(donors.map { $0["key"] as? String } == ["European Union", "Germany"])
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
                streamed.append(piece)
                pieces += 1
            }
            let whole = try service.document(asOf: date, filter: filter)
            #expect(streamed == (try DashboardService.render(whole)))
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

    @Test("1,203 pledges with an open alert each: the alert cursor's and the entries' batches join into the whole document's bytes")
    func manyBatches() throws {
        try ScratchDatabase.with { db in
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
            // Nothing delivered a year and a half in: every pledge is stalled, each with an open alert.
            _ = try Evaluator(connection: connection).run(asOf: CalendarDate(iso: "2024-06-30")!)
            let service = DashboardService(connection: connection)
            var streamed = Data()
            try service.write { streamed.append($0) }
            let whole = try service.document()
            #expect(whole.pledges.count == 1203)
            #expect(whole.alerts.count == 1203)
            #expect(whole.alerts.map { $0.labels["pledge"] ?? "" } == whole.pledges.map(\.id), "alerts follow the pledges' order")
            #expect(whole.pledges.allSatisfy { $0.openAlerts.count == 1 })
            #expect(streamed == (try DashboardService.render(whole)))
        }
    }
}
