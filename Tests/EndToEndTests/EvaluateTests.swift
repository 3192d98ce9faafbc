import Foundation
import Postgres
import Testing
import TestSupport

/// `evaluate`, `check` and `silence` as cron and an operator run them.
@Suite("evaluate for cron")
struct EvaluateTests {
    /// The `rule` label of a webhook v4 payload.
    static func rule(of request: WebhookReceiver.Request) -> String? {
        let payload = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
        return (payload?["commonLabels"] as? [String: String])?["rule"]
    }

    func seeded(_ db: ScratchDatabase) throws {
        let seed = try Pledgewatch.run(["seed", "--by", "test"], database: db.conninfo)
        #expect(seed.status == 0, "\(seed)")
    }

    @Test("the article's acceptance: likely_miss, pending then firing, exactly one webhook notification after three runs")
    func acceptance() throws {
        try ScratchDatabase.with { db in
            try seeded(db)
            let receiver = try WebhookReceiver()
            let env = ["PLEDGEWATCH_WEBHOOK_URL": receiver.url]
            let first = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo, environment: env)
            #expect(first.status == 0, "\(first)")
            #expect(first.stdout.contains("eu-1m-rounds: new → likely_miss"))
            #expect(first.stdout.contains("PledgeLikelyMiss pending"))
            #expect(first.stderr.isEmpty, "cron mails stderr: \(first.stderr)")
            let second = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo, environment: env)
            #expect(second.stdout.contains("eu-1m-rounds: alert PledgeLikelyMiss FIRING"))
            #expect(!second.stdout.contains("new →"), "statuses did not change: \(second.stdout)")
            let third = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo, environment: env)
            #expect(third.status == 0)
            #expect(third.stdout.isEmpty, "nothing changed, so nothing to mail: \(third.stdout)")

            let likelyMiss = receiver.requests.filter { Self.rule(of: $0) == "likely_miss" }
            #expect(likelyMiss.count == 1)
            let payload = try JSONSerialization.jsonObject(with: likelyMiss[0].body) as? [String: Any]
            #expect(payload?["version"] as? String == "4")
            #expect(payload?["status"] as? String == "firing")
            let alert = (payload?["alerts"] as? [[String: Any]])?.first
            #expect(alert?["endsAt"] as? String == "0001-01-01T00:00:00Z")
            #expect((alert?["labels"] as? [String: String])?["pledge"] == "eu-1m-rounds")
            #expect(likelyMiss[0].idempotencyKey?.isEmpty == false)

            let json = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14", "--json"], database: db.conninfo)
            let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let eu = (report?["assessments"] as? [[String: Any]])?.first { $0["pledge"] as? String == "eu-1m-rounds" }
            #expect(eu?["status"] as? String == "likely_miss")
            #expect((eu?["probabilityOnTime"] as? Double ?? 1) < 0.1)
            #expect((eu?["alternatives"] as? [String: String])?["run_rate"] == "473222")
            #expect(abs(1 / (eu?["paceRatio"] as? Double ?? 1) - 4.04) < 0.01)
            let stored = try db.connect().query("SELECT count(*) FROM assessment").scalar(Int.self)
            #expect(stored == 16, "four evaluations of four pledges are kept as forecast history")
        }
    }

    @Test("a receiver down for an hour loses nothing and receives no duplicate key once it is back")
    func receiverDown() throws {
        try ScratchDatabase.with { db in
            try seeded(db)
            let receiver = try WebhookReceiver()
            receiver.stop()
            let env = ["PLEDGEWATCH_WEBHOOK_URL": receiver.url]
            for _ in 0..<2 { _ = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo, environment: env) }
            let connection = try db.connect()
            let queued = try connection.query("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").scalar(Int.self)
            #expect(queued >= 1)
            #expect(receiver.requests.isEmpty)
            // An hour passes: every retry falls due.
            try connection.execute("UPDATE outbox SET next_attempt_at = now() - interval '1 hour'")
            try receiver.start()
            let notify = try Pledgewatch.run(["notify"], database: db.conninfo)
            #expect(notify.status == 0, "\(notify)")
            try connection.execute("UPDATE outbox SET next_attempt_at = now() - interval '1 hour'")
            _ = try Pledgewatch.run(["notify"], database: db.conninfo)
            _ = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo, environment: env)
            let keys = receiver.requests.compactMap(\.idempotencyKey)
            #expect(keys.count == queued)
            #expect(Set(keys).count == keys.count)
            #expect(try connection.query("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").scalar(Int.self) == 0)
        }
    }

    @Test("an overlapping run exits at once with 75 and one line; the held lock is PostgreSQL's")
    func overlappingRun() throws {
        try ScratchDatabase.with { db in
            try seeded(db)
            let holder = try db.connect()
            #expect(try holder.tryAdvisoryLock(0x7077_2D65_7661_6C))
            let blocked = try Pledgewatch.run(["evaluate"], database: db.conninfo)
            #expect(blocked.status == 75)
            #expect(blocked.stderr.split(separator: "\n").count == 1)
            #expect(blocked.stdout.isEmpty)
            #expect(try holder.query("SELECT count(*) FROM assessment").scalar(Int.self) == 0)
            _ = try holder.advisoryUnlock(0x7077_2D65_7661_6C)
            #expect(try Pledgewatch.run(["evaluate"], database: db.conninfo).status == 0)
        }
    }

    @Test("check speaks Nagios: CRITICAL for likely_miss, OK when nothing is at risk, UNKNOWN without a database")
    func check() throws {
        try ScratchDatabase.with { db in
            try seeded(db)
            let critical = try Pledgewatch.run(["check", "--as-of", "2023-11-14"], database: db.conninfo)
            #expect(critical.status == 2)
            #expect(critical.stdout.hasPrefix("PLEDGEWATCH CRITICAL"))
            #expect(critical.stdout.contains("eu-1m-rounds likely_miss"))
            let unknown = try Pledgewatch.run(["check"], database: "postgres://nobody@127.0.0.1:1/none")
            #expect(unknown.status == 3)
            #expect(unknown.stdout.hasPrefix("PLEDGEWATCH UNKNOWN"))
        }
    }

    @Test("a silenced alert is recorded but not notified")
    func silence() throws {
        try ScratchDatabase.with { db in
            try seeded(db)
            let receiver = try WebhookReceiver()
            let add = try Pledgewatch.run(
                ["silence", "add", "--pledge", "eu-1m-rounds", "--rule", "likely_miss", "--until", "2099-12-31", "--reason", "briefed"],
                database: db.conninfo)
            #expect(add.status == 0, "\(add)")
            let env = ["PLEDGEWATCH_WEBHOOK_URL": receiver.url]
            _ = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo, environment: env)
            let second = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo, environment: env)
            #expect(second.stdout.contains("PledgeLikelyMiss FIRING (silenced)"))
            #expect(!receiver.requests.contains { Self.rule(of: $0) == "likely_miss" })
            let events = try db.connect().query(
                "SELECT count(*) FROM alert_event WHERE silenced_by IS NOT NULL AND notification = 'firing'").scalar(Int.self)
            #expect(events == 1)
            let list = try Pledgewatch.run(["silence", "list", "--json"], database: db.conninfo)
            #expect(list.stdout.contains("briefed"))
            let bad = try Pledgewatch.run(
                ["silence", "add", "--pledge", "eu-1m-rounds", "--rule", "bogus", "--until", "2099-12-31", "--reason", "x"], database: db.conninfo)
            #expect(bad.status == 65)
            #expect(bad.stderr.contains("rule"))
        }
    }
}
