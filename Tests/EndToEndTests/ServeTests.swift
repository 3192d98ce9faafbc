import Foundation
import PledgeService
import Postgres
import Testing
import TestSupport

/// `pledgewatch serve` as a real process on a loopback port.
@Suite("serve")
struct ServeTests {
    func seeded(_ db: ScratchDatabase) throws {
        #expect(try Pledgewatch.run(["seed"], database: db.conninfo).status == 0)
    }

    @Test("every route answers; the dashboard has an ETag, answers 304 to If-None-Match, and gzip when asked")
    func routes() async throws {
        try await ScratchDatabase.with { db in
            try seeded(db)
            let server = try ServeProcess(database: db.conninfo, arguments: ["--interval", "3600"])
            let ready = try await server.poll("/readyz") { $0.status == 200 }
            #expect(ready?.text.contains("\"ready\":true") == true)
            #expect(try server.get("/healthz").status == 200)

            // Ready means a dashboard is served; the first evaluation (which opens alerts) may still be
            // running. Wait for its result so the document no longer changes under the requests below.
            let evaluated = try await server.poll("/v1/dashboard") { result in
                let document = try? JSONSerialization.jsonObject(with: result.body) as? [String: Any]
                return (document?["alerts"] as? [Any])?.isEmpty == false
            }
            let dashboard = try #require(evaluated, "the first evaluation's alerts reach the dashboard")
            #expect(dashboard.status == 200)
            #expect(dashboard.headers["content-type"] == "application/json")
            let document = try JSONSerialization.jsonObject(with: dashboard.body) as? [String: Any]
            #expect(document?["apiVersion"] as? String == "pledgewatch/v1")
            #expect((document?["pledges"] as? [Any])?.count == 4)
            let etag = try #require(dashboard.headers["etag"])
            let notModified = try server.get("/v1/dashboard", headers: ["If-None-Match": etag])
            #expect(notModified.status == 304)
            #expect(notModified.body.isEmpty)
            #expect(try server.get("/v1/dashboard", headers: ["If-None-Match": "\"other\""]).status == 200)
            let gzipped = try server.get("/v1/dashboard", headers: ["Accept-Encoding": "gzip, deflate"])
            #expect(gzipped.headers["content-encoding"] == "gzip")
            #expect(gzipped.body.count < dashboard.body.count)
            #expect(Gzip.decompress(gzipped.body) == dashboard.body)
            // Two representations, two strong validators (RFC 9110 §8.8.3); each revalidates its own.
            let gzipTag = try #require(gzipped.headers["etag"])
            #expect(gzipTag != etag)
            let gzipNotModified = try server.get("/v1/dashboard", headers: ["Accept-Encoding": "gzip", "If-None-Match": gzipTag])
            #expect(gzipNotModified.status == 304)
            #expect(gzipNotModified.headers["etag"] == gzipTag)
            #expect(try server.get("/v1/dashboard", headers: ["If-None-Match": gzipTag]).status == 200, "the plain body is another representation")
            // HEAD: the GET's status and headers, no body.
            let head = try HTTPClient.request("HEAD", port: server.port, path: "/v1/dashboard")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.headers["etag"] == etag)
            #expect(head.headers["content-length"] == String(dashboard.body.count))
            #expect(try HTTPClient.request("HEAD", port: server.port, path: "/healthz").status == 200)

            let pledges = try server.get("/v1/pledges")
            #expect(pledges.status == 200)
            #expect(pledges.text.contains("\"kind\" : \"PledgeList\""))
            // The list is sent from the dashboard's own bytes, in the list's frame: the same entries, and a
            // length and ETag of its own.
            let listed = try JSONSerialization.jsonObject(with: pledges.body) as? [String: Any]
            #expect(NSArray(array: listed?["items"] as? [Any] ?? []) == NSArray(array: document?["pledges"] as? [Any] ?? [0]))
            #expect(pledges.headers["content-length"] == String(pledges.body.count))
            let listTag = try #require(pledges.headers["etag"])
            #expect(listTag != etag)
            let listNotModified = try server.get("/v1/pledges", headers: ["If-None-Match": listTag])
            #expect(listNotModified.status == 304 && listNotModified.headers["content-length"] == nil)
            let firing = try server.get("/v1/alerts?state=firing")
            let firingAlerts = (document?["alerts"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "firing" }
            let listedAlerts = try JSONSerialization.jsonObject(with: firing.body) as? [String: Any]
            #expect(NSArray(array: listedAlerts?["alerts"] as? [Any] ?? [0]) == NSArray(array: firingAlerts))
            let alertsTag = try #require(firing.headers["etag"])
            #expect(try server.get("/v1/alerts?state=firing", headers: ["If-None-Match": alertsTag]).status == 304)
            let pledge = try server.get("/v1/pledges/eu-1m-rounds")
            #expect(pledge.status == 200)
            let detail = try JSONSerialization.jsonObject(with: pledge.body) as? [String: Any]
            #expect(((detail?["history"] as? [Any])?.count ?? 0) >= 1, "the assessment history is included")
            // The whole timeline: the seed's few points, so the same as the entry's burn-up.
            let wholeTimeline = detail?["timeline"] as? [[String: Any]] ?? []
            #expect(wholeTimeline.last?["cumulative"] as? String == "300000")
            #expect(NSArray(array: wholeTimeline) == NSArray(array: (detail?["pledge"] as? [String: Any])?["timeline"] as? [Any] ?? [0]))
            #expect(try server.get("/v1/pledges/nope").status == 404)
            #expect(try server.get("/v1/alerts?state=firing").status == 200)
            #expect(try server.get("/v1/alerts?state=bogus").status == 400)
            let metrics = try server.get("/metrics")
            #expect(metrics.text.contains("pledgewatch_pledges{status=\"not_binding\"} 1"))
            #expect(metrics.text.contains("pledgewatch_leader 1"))
            #expect(metrics.text.contains("pledgewatch_last_successful_evaluation_timestamp_seconds "))
            #expect(metrics.text.contains("pledgewatch_http_requests_total{route=\"/v1/dashboard\",status=\"200\"}"))
            #expect(metrics.text.contains("pledgewatch_http_request_duration_seconds_bucket{route=\"/v1/pledges/{id}\""))
            #expect(server.stop() == 0, "SIGTERM stops it gracefully with exit 0")
        }
    }

    @Test("on a kept-alive connection the dashboard is answered as over a new one, pipelined requests in order")
    func keptAlive() async throws {
        try await ScratchDatabase.with { db in
            try seeded(db)
            let server = try ServeProcess(database: db.conninfo, arguments: ["--interval", "3600"])
            let evaluated = try await server.poll("/v1/dashboard") { result in
                let document = try? JSONSerialization.jsonObject(with: result.body) as? [String: Any]
                return (document?["alerts"] as? [Any])?.isEmpty == false
            }
            // Over a connection of its own (`Connection: close`) the router answers: the reference.
            let reference = try #require(evaluated)
            let etag = try #require(reference.headers["etag"])
            let connection = try HTTPConnection(port: server.port)

            try connection.send([HTTPConnection.request("/v1/dashboard")])
            let plain = try connection.next()
            #expect(plain.status == 200)
            #expect(plain.body == reference.body)
            #expect(plain.headers["etag"] == etag)
            #expect(plain.headers["content-type"] == "application/json")
            #expect(plain.headers["cache-control"] == "no-cache")
            #expect(plain.headers["vary"] == "Accept-Encoding")
            #expect(plain.headers["date"]?.hasSuffix(" GMT") == true)

            // Behind a request the router answers from the database (a pledge's history), the dashboard
            // requests wait their turn: three requests in one write, three responses in that order.
            try connection.send([
                HTTPConnection.request("/v1/pledges/eu-1m-rounds"),
                HTTPConnection.request("/v1/dashboard", headers: ["Accept-Encoding": "gzip"]),
                HTTPConnection.request("/v1/dashboard?fields=all", headers: ["If-None-Match": etag]),
            ])
            let pledge = try connection.next()
            #expect(pledge.status == 200)
            #expect(pledge.text.contains("\"kind\" : \"Pledge\""))
            let gzipped = try connection.next()
            #expect(gzipped.headers["content-encoding"] == "gzip")
            #expect(Gzip.decompress(gzipped.body) == reference.body)
            let notModified = try connection.next()
            #expect(notModified.status == 304)
            #expect(notModified.headers["etag"] == etag)
            #expect(notModified.body.isEmpty)
            #expect(notModified.headers["content-length"] == nil, "a 304 states no length")

            // Pipelined after one another, all answered in the pipeline, still one response each.
            try connection.send(Array(repeating: HTTPConnection.request("/v1/dashboard", headers: ["If-None-Match": etag]), count: 5))
            for _ in 0..<5 {
                let answer = try connection.next()
                #expect(answer.status == 304 && answer.headers["etag"] == etag && answer.headers["content-length"] == nil)
            }
            // The gzip representation's own tag, revalidated in the pipeline too.
            let gzipTag = try #require(gzipped.headers["etag"])
            #expect(gzipTag != etag)
            try connection.send([HTTPConnection.request("/v1/dashboard", headers: ["Accept-Encoding": "gzip", "If-None-Match": gzipTag])])
            let gzipNotModified = try connection.next()
            #expect(gzipNotModified.status == 304 && gzipNotModified.headers["etag"] == gzipTag)
            try connection.send([HTTPConnection.request("/healthz")])
            #expect(try connection.next().text.contains("\"status\":\"ok\""), "the router still answers on the connection")

            let metrics = try server.get("/metrics")
            let count = metrics.text.split(separator: "\n").first { $0.hasPrefix("pledgewatch_http_requests_total{route=\"/v1/dashboard\",status=\"304\"}") }
            #expect(count.flatMap { Int($0.split(separator: " ").last ?? "") }.map { $0 >= 6 } == true, "answers in the pipeline are counted")
            #expect(server.stop() == 0)
        }
    }

    @Test("with --token-file every route but /healthz needs the bearer token; a refusal is a bare 401")
    func token() async throws {
        try await ScratchDatabase.with { db in
            try seeded(db)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("pw-token-\(UUID())").path
            try "s3cret-token-of-some-length\n".write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let server = try ServeProcess(database: db.conninfo, arguments: ["--token-file", file])
            #expect(try server.get("/healthz").status == 200)
            for path in ["/readyz", "/v1/dashboard", "/v1/pledges", "/metrics", "/v1/alerts"] {
                let refused = try server.get(path)
                #expect(refused.status == 401, "\(path)")
                #expect(refused.body.isEmpty)
                #expect(try server.get(path, headers: ["Authorization": "Bearer wrong-token-of-some-length"]).status == 401)
            }
            let allowed = try await server.poll("/v1/dashboard", headers: ["Authorization": "Bearer s3cret-token-of-some-length"]) { $0.status == 200 }
            #expect(allowed != nil)
            // Kept alive, the dashboard answered in the pipeline asks for the token just the same.
            let connection = try HTTPConnection(port: server.port)
            try connection.send([
                HTTPConnection.request("/v1/dashboard"),
                HTTPConnection.request("/v1/dashboard", headers: ["Authorization": "Bearer wrong-token-of-some-length"]),
                HTTPConnection.request("/v1/dashboard", headers: ["Authorization": "Bearer s3cret-token-of-some-length"]),
            ])
            let kept = try (0..<3).map { _ in try connection.next() }
            #expect(kept.map(\.status) == [401, 401, 200])
            #expect(kept[2].text.contains("\"apiVersion\" : \"pledgewatch/v1\""), "the document itself")
            #expect(kept[0].body.isEmpty && kept[1].body.isEmpty)
            #expect(server.stop(signal: SIGINT) == 0)
        }
    }

    @Test("a ledger change shows over HTTP within a bounded wait (NOTIFY, debounce, evaluation)")
    func ledgerChangeVisible() async throws {
        try await ScratchDatabase.with { db in
            try seeded(db)
            let server = try ServeProcess(database: db.conninfo, arguments: ["--interval", "3600"])
            let first = try await server.poll("/v1/pledges/eu-1m-rounds") { $0.status == 200 }
            #expect(first?.text.contains("\"delivered\" : \"300000\"") == true)
            let record = try Pledgewatch.run(["delivery", "record", "eu-1m-rounds", "--quantity", "12345", "--on", "2024-01-10"], database: db.conninfo)
            #expect(record.status == 0, "\(record)")
            let updated = try await server.poll("/v1/pledges/eu-1m-rounds") { $0.text.contains("\"delivered\" : \"312345\"") }
            #expect(updated != nil, "the change reached the API")
            #expect(server.stop() == 0)
        }
    }

    @Test("a ledger change that meets a running cron evaluate is evaluated once that run is over, not an interval later")
    func changeDuringCronEvaluate() async throws {
        try await ScratchDatabase.with { db in
            try seeded(db)
            let server = try ServeProcess(database: db.conninfo, arguments: ["--interval", "3600"])
            #expect(try await server.poll("/v1/pledges/eu-1m-rounds") { $0.text.contains("\"delivered\" : \"300000\"") } != nil)
            // A long cron `evaluate` holds the evaluation lock, from before the change until after the daemon tried.
            // (The daemon lets go of the lock just after its commit, which the document already shows: a
            // bounded wait for it.)
            let cron = try db.connect()
            #expect(try await eventually { try cron.tryAdvisoryLock(Evaluator.lockKey) })
            let record = try Pledgewatch.run(["delivery", "record", "eu-1m-rounds", "--quantity", "12345", "--on", "2024-01-10"], database: db.conninfo)
            #expect(record.status == 0, "\(record)")
            // Bounded wait until the daemon has tried and found the lock held.
            let busy = try await eventually {
                let line = try server.get("/metrics").text.split(separator: "\n").first { $0.hasPrefix("pledgewatch_evaluations_busy_total") }
                return line.map { $0 != "pledgewatch_evaluations_busy_total 0" } ?? false
            }
            #expect(busy, "the daemon tried while the lock was held")
            #expect(try cron.advisoryUnlock(Evaluator.lockKey))
            let updated = try await server.poll("/v1/pledges/eu-1m-rounds") { $0.text.contains("\"delivered\" : \"312345\"") }
            #expect(updated != nil, "the change was evaluated after the cron run")
            #expect(server.stop() == 0)
        }
    }

    @Test("a webhook that failed is retried by the daemon when it falls due, not only at its next evaluation an interval later")
    func webhookRetriedBetweenEvaluations() async throws {
        try await ScratchDatabase.with { db in
            try seeded(db)
            let receiver = try WebhookReceiver()
            receiver.stop()
            let server = try ServeProcess(database: db.conninfo, arguments: ["--interval", "3600", "--webhook-url", receiver.url])
            // The first evaluation makes alerts pending; a ledger change brings the second, which fires them.
            #expect(try await server.poll("/v1/alerts") { $0.text.contains("\"pending\"") } != nil)
            let record = try Pledgewatch.run(["delivery", "record", "eu-1m-rounds", "--quantity", "1", "--on", "2024-01-10"], database: db.conninfo)
            #expect(record.status == 0, "\(record)")
            let connection = try db.connect()
            var queued = 0
            let failed = try await eventually {
                queued = try connection.query("SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND attempts > 0").scalar(Int.self)
                return queued > 0
            }
            #expect(failed, "the firing notifications failed against the stopped receiver")
            // The receiver is back and the retries are due (as 30 s later).
            try receiver.start()
            try connection.execute("UPDATE outbox SET next_attempt_at = now()")
            let delivered = try await eventually(attempts: 60, every: .seconds(1)) {
                try connection.query("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").scalar(Int.self) == 0
            }
            #expect(delivered, "every notification reached the receiver without another evaluation")
            #expect(receiver.requests.count == queued)
            #expect(server.stop() == 0)
        }
    }

    @Test("a graceful stop in the middle of a webhook round ends the round after the message in flight: exit 0, the rest queued")
    func gracefulStopEndsDeliveryRound() async throws {
        try await ScratchDatabase.with { db in
            let receiver = try WebhookReceiver()
            receiver.hold()
            defer { receiver.release() }
            let connection = try db.connect()
            // Three notifications of three alerts, all due: one round sends them in order.
            for n in 1...3 {
                try connection.execute(
                    """
                    INSERT INTO outbox (idempotency_key, url, payload)
                    VALUES (\("queued-\(n)"), \(receiver.url), \("{\"groupKey\": \"alert-\(n)\", \"n\": \(n)}")::jsonb)
                    """)
            }
            let server = try ServeProcess(
                database: db.conninfo, arguments: ["--interval", "3600", "--webhook-url", receiver.url],
                environment: ["PLEDGEWATCH_LOG_LEVEL": "info"])
            // The first message is in flight: the receiver has it and does not answer yet. From here to the
            // release every wait blocks on the event itself: the sender gives up on a message after 10 s, and a
            // suspended test on a busy runner could otherwise resume after that.
            #expect(receiver.waitForRequests(1), "the round's first message arrived")
            server.signal(SIGTERM)
            #expect(server.waitForStderr(containing: "the webhook round ends after the message in flight"), "\(server.stderr)")
            receiver.release()
            #expect(server.waitForExit() == 0, "\(server.stderr)")
            // The message in flight went out and is recorded as delivered; the round sent nothing after it.
            #expect(receiver.requests.count == 1)
            #expect(receiver.requests.first?.idempotencyKey == "queued-1")
            let outbox = try connection.query("SELECT idempotency_key, delivered_at IS NOT NULL, attempts FROM outbox ORDER BY id")
                .decode((String, Bool, Int).self).map { "\($0.0) \($0.1) \($0.2)" }
            #expect(outbox == ["queued-1 true 1", "queued-2 false 0", "queued-3 false 0"])
        }
    }

    @Test("a port already taken: one clear line, exit 69, and nothing evaluated or sent before")
    func portTaken() throws {
        try ScratchDatabase.with { db in
            try seeded(db)
            // A listening socket of this test's holds the port.
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            try withUnsafeMutablePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                    try #require(bind(socket, generic, length) == 0 && listen(socket, 1) == 0)
                    try #require(getsockname(socket, generic, &length) == 0)
                }
            }
            let port = Int(UInt16(bigEndian: address.sin_port))
            // Bounded by timeout(1): a daemon that went on serving would otherwise never end the test.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            process.arguments = ["60", Pledgewatch.binary.path, "serve", "--listen", "127.0.0.1:\(port)", "--interval", "1"]
            process.environment = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": db.conninfo]) { _, new in new }
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 69, "\(stderr)")
            #expect(stderr.hasSuffix("pledgewatch: cannot listen on 127.0.0.1:\(port): Address already in use\n"), "\(stderr)")
            let connection = try db.connect()
            #expect(try connection.query("SELECT count(*) FROM evaluation_run").scalar(Int.self) == 0)
            // A host name that does not resolve: the same.
            let unresolved = try Pledgewatch.run(["serve", "--listen", "no-such-host.invalid:8080"], database: db.conninfo)
            #expect(unresolved.status == 69, "\(unresolved)")
            #expect(unresolved.stderr.hasSuffix("pledgewatch: cannot listen on no-such-host.invalid:8080: the host name cannot be resolved\n"))
            #expect(try connection.query("SELECT count(*) FROM evaluation_run").scalar(Int.self) == 0)
        }
    }

    @Test("an evaluation that fails (no schema yet) leaves the leader the leader, and migrating lets it evaluate")
    func failedEvaluationKeepsLeadership() async throws {
        try await ScratchDatabase.with(migrated: false) { db in
            let server = try ServeProcess(database: db.conninfo, arguments: ["--interval", "1"])
            let failed = try await server.poll("/metrics") { result in
                let line = result.text.split(separator: "\n").first { $0.hasPrefix("pledgewatch_evaluation_failures_total") }
                return line.map { $0 != "pledgewatch_evaluation_failures_total 0" } ?? false
            }
            let metrics = try #require(failed)
            #expect(metrics.text.contains("\npledgewatch_leader 1\n"), "the lock is still this session's")
            #expect(try Pledgewatch.run(["migrate"], database: db.conninfo).status == 0)
            #expect(try await server.poll("/readyz") { $0.text.contains("\"leader\":true,\"ready\":true") } != nil)
            #expect(server.stop() == 0)
        }
    }

    @Test("two replicas: one leads; kill it and the other takes over within an interval")
    func leaderFailover() async throws {
        try await ScratchDatabase.with { db in
            try seeded(db)
            let first = try ServeProcess(database: db.conninfo, arguments: ["--interval", "1"])
            #expect(try await first.poll("/metrics") { $0.text.contains("pledgewatch_leader 1") } != nil)
            let second = try ServeProcess(database: db.conninfo, arguments: ["--interval", "1"])
            #expect(try await second.poll("/readyz") { $0.status == 200 } != nil)
            #expect(try second.get("/metrics").text.contains("pledgewatch_leader 0"))
            #expect(try second.get("/v1/dashboard").status == 200, "a follower serves reads")
            first.stop(signal: SIGKILL)
            let takeover = try await second.poll("/metrics", attempts: 100, every: .milliseconds(100)) { $0.text.contains("pledgewatch_leader 1") }
            #expect(takeover != nil)
            #expect(second.stop() == 0)
        }
    }
}

/// The daemon against a PostgreSQL of its own, which the test stops and restarts.
@Suite("serve survives PostgreSQL restarts", .serialized)
struct ServeRestartTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Scripts/pg").standardized.path

    static func pg(_ command: String, name: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: scripts)
        process.arguments = [command]
        process.environment = ProcessInfo.processInfo.environment.merging(["PLEDGEWATCH_PG_NAME": name]) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let complaint = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // The script's complaint (with the server log's tail) says why, should a start ever fail here.
        guard process.terminationStatus == 0 else { throw TestSetupError(message: "Scripts/pg \(command) failed: \(complaint)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("PostgreSQL stopped and restarted under a running serve: /readyz goes 503 then back to 200, no crash")
    func restart() async throws {
        let name = "restart-\(getpid())"
        // Removed whether or not it starts (a failed start leaves its directory).
        defer { _ = try? Self.pg("stop", name: name) }
        try _ = Self.pg("start", name: name)
        let url = try Self.pg("url", name: name)
        #expect(try Pledgewatch.run(["migrate"], database: url).status == 0)
        #expect(try Pledgewatch.run(["seed"], database: url).status == 0)
        let server = try ServeProcess(database: url, arguments: ["--interval", "2"])
        #expect(try await server.poll("/readyz") { $0.status == 200 } != nil)
        _ = try Self.pg("halt", name: name)
        #expect(try await server.poll("/readyz") { $0.status == 503 } != nil)
        #expect(try server.get("/v1/dashboard").status == 200, "reads keep being served from the cache")
        // A pledge's detail not read before needs its forecast history from the database: 503, with the reason.
        let detail = try server.get("/v1/pledges/eu-1m-rounds")
        #expect(detail.status == 503, "\(detail.status) \(detail.text)")
        #expect(detail.text.contains("database is unreachable"), "\(detail.text)")
        #expect(detail.headers["retry-after"] == "5")
        _ = try Self.pg("start", name: name)
        #expect(try await server.poll("/readyz") { $0.status == 200 } != nil)
        #expect(try await server.poll("/metrics") { $0.text.contains("pledgewatch_leader 1") } != nil, "leadership is regained")
        #expect(server.isRunning)
        #expect(server.stop() == 0)
    }
}
