import Foundation
import PledgeService
import PledgeStore
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
        try withAlerting { db, receiver, env, _ in
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

    @Test("an evaluation whose news cannot be written (a full disk) still sends its notification, then exits 74")
    func unwritableNews() throws {
        try withAlerting { db, receiver, env, run in
            _ = try run(["evaluate", "--as-of", "2023-11-14"])
            let devFull = try #require(FileHandle(forWritingAtPath: "/dev/full"))
            defer { try? devFull.close() }
            let firing = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo, environment: env, stdout: devFull)
            #expect(firing.status == 74, "\(firing)")
            #expect(firing.stderr == "pledgewatch: cannot write to standard output: No space left on device\n", "\(firing)")
            #expect(Self.likelyMiss(receiver).map(\.status) == ["firing"])
            // The transition was committed before the news failed: the next run has nothing to say.
            #expect(try run(["evaluate", "--as-of", "2023-11-14"]).stdout.isEmpty)
        }
    }

    @Test("an evaluation whose news goes to a closed pipe still sends its notification, then exits 74 (not killed by SIGPIPE)")
    func newsToClosedPipe() throws {
        try withAlerting { db, receiver, env, run in
            _ = try run(["evaluate", "--as-of", "2023-11-14"])
            // A pipe nobody reads: writing to it raises SIGPIPE, whose default action ends a process.
            let pipe = Pipe()
            try pipe.fileHandleForReading.close()
            let firing = try Pledgewatch.run(
                ["evaluate", "--as-of", "2023-11-14"], database: db.conninfo, environment: env, stdout: pipe.fileHandleForWriting)
            #expect(firing.status == 74, "\(firing)")
            #expect(firing.stderr == "pledgewatch: cannot write to standard output: Broken pipe\n", "\(firing)")
            #expect(Self.likelyMiss(receiver).map(\.status) == ["firing"])
        }
    }

    @Test("a receiver down for an hour loses nothing and receives no duplicate key once it is back")
    func receiverDown() throws {
        try withAlerting(receiverDown: true) { db, receiver, env, _ in
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

    /// Runs a command that must succeed (exit 0), with `environment`.
    static func succeed(_ arguments: [String], _ db: ScratchDatabase, _ environment: [String: String]) throws -> CommandResult {
        let result = try Pledgewatch.run(arguments, database: db.conninfo, environment: environment)
        #expect(result.status == 0, "\(arguments): \(result)")
        return result
    }

    /// A seeded scratch database and a webhook receiver (down until started, with `receiverDown`) that
    /// `evaluate` posts to: `body` gets both, the environment naming the receiver, and a runner for
    /// commands that must succeed.
    func withAlerting(
        receiverDown: Bool = false,
        _ body: (ScratchDatabase, WebhookReceiver, [String: String], _ run: ([String]) throws -> CommandResult) throws -> Void
    ) throws {
        try ScratchDatabase.with { db in
            try seeded(db)
            let receiver = try WebhookReceiver()
            if receiverDown { receiver.stop() }
            let env = ["PLEDGEWATCH_WEBHOOK_URL": receiver.url]
            try body(db, receiver, env) { try Self.succeed($0, db, env) }
        }
    }

    /// The EU's shells fire under a silence on likely_miss that ends on 2023-11-14: held back, nothing sent.
    static func fireUnderSilence(_ db: ScratchDatabase, _ env: [String: String], _ receiver: WebhookReceiver) throws {
        _ = try succeed(["silence", "add", "--pledge", "eu-1m-rounds", "--rule", "likely_miss", "--until", "2023-11-14", "--reason", "briefed"], db, env)
        _ = try succeed(["evaluate", "--as-of", "2023-11-14"], db, env)
        #expect(try succeed(["evaluate", "--as-of", "2023-11-14"], db, env).stdout.contains("PledgeLikelyMiss FIRING (silenced)"))
        #expect(likelyMiss(receiver).isEmpty)
    }

    /// The likely_miss notifications a receiver got, as (status, idempotency key), in arrival order.
    static func likelyMiss(_ receiver: WebhookReceiver) -> [(status: String, key: String)] {
        receiver.requests.filter { rule(of: $0) == "likely_miss" }.map { request in
            let payload = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
            return (payload?["status"] as? String ?? "", request.idempotencyKey ?? "")
        }
    }

    @Test("a firing held back by a silence is sent once the silence has ended; a resolved follows a sent firing, silence or not")
    func silenceEnds() throws {
        try withAlerting { db, receiver, env, run in
            try Self.fireUnderSilence(db, env, receiver)

            // The silence covered its last day; the alert still fires the day after: now the receiver hears of it.
            let lapsed = try run(["evaluate", "--as-of", "2023-11-15"])
            #expect(lapsed.stdout.contains("eu-1m-rounds: alert PledgeLikelyMiss FIRING —"), "\(lapsed.stdout)")
            #expect(Self.likelyMiss(receiver).map(\.status) == ["firing"])
            #expect(try run(["evaluate", "--as-of", "2023-11-15"]).stdout.isEmpty, "told once")
            #expect(Self.likelyMiss(receiver).count == 1)

            // A silence over everything, then the target is met: the receiver's incident is still closed.
            _ = try run(["silence", "add", "--pledge", "eu-1m-rounds", "--until", "2099-12-31", "--reason", "quiet"])
            _ = try run(["delivery", "report-total", "eu-1m-rounds", "--total", "1000000", "--as-of", "2023-11-16"])
            _ = try run(["evaluate", "--as-of", "2023-11-16"])
            let resolved = try run(["evaluate", "--as-of", "2023-11-16"])
            #expect(resolved.stdout.contains("PledgeLikelyMiss RESOLVED —"), "\(resolved.stdout)")
            #expect(resolved.stdout.contains("FIRING (silenced)"), "the new met alert is held back: \(resolved.stdout)")
            #expect(Self.likelyMiss(receiver).map(\.status) == ["firing", "resolved"])
            #expect(!receiver.requests.contains { Self.rule(of: $0) == "met" })
            let history = try db.connect().query(
                """
                SELECT e.notification, e.silenced_by IS NOT NULL FROM alert_event e JOIN alert a USING (fingerprint)
                WHERE a.rule = 'likely_miss' AND e.notification IS NOT NULL ORDER BY e.id
                """
            ).map { try $0.decode((String, Bool).self) }
            #expect(history.map(\.0) == ["firing", "firing", "resolved"])
            #expect(history.map(\.1) == [true, false, false], "held back, then sent, then sent")
        }
    }

    @Test("a firing held back by a silence is never sent if its condition has cleared by the time the silence ends")
    func silenceEndsWhileClearing() throws {
        try withAlerting { db, receiver, env, run in
            try Self.fireUnderSilence(db, env, receiver)
            _ = try run(["delivery", "report-total", "eu-1m-rounds", "--total", "1000000", "--as-of", "2023-11-15"])
            // The silence is over, but the alert only fires on for the damping while it clears: nothing to tell.
            let clearing = try run(["evaluate", "--as-of", "2023-11-15"])
            #expect(!clearing.stdout.contains("PledgeLikelyMiss FIRING"), "\(clearing.stdout)")
            _ = try run(["evaluate", "--as-of", "2023-11-15"])
            #expect(Self.likelyMiss(receiver).isEmpty, "\(Self.likelyMiss(receiver))")
            let state = try db.connect().query("SELECT state FROM alert WHERE rule = 'likely_miss'").scalar(String.self)
            #expect(state == "inactive")
        }
    }

    @Test("a receiver gets an alert's notifications in order: a firing waiting in backoff holds back the resolved after it")
    func notificationsInOrder() throws {
        try withAlerting(receiverDown: true) { db, receiver, env, run in
            _ = try run(["evaluate", "--as-of", "2023-11-14"])
            let firing = try run(["evaluate", "--as-of", "2023-11-14"])
            #expect(firing.stdout.contains("PledgeLikelyMiss FIRING"), "the news is printed though the receiver is down")
            _ = try run(["delivery", "report-total", "eu-1m-rounds", "--total", "1000000", "--as-of", "2023-11-16"])
            _ = try run(["evaluate", "--as-of", "2023-11-16"])
            #expect(try run(["evaluate", "--as-of", "2023-11-16"]).stdout.contains("PledgeLikelyMiss RESOLVED"))

            // The receiver is back. The firing has failed more often, so it waits longer in backoff; the
            // resolved falls due first. It waits for the firing.
            try receiver.start()
            try db.connect().execute(
                "UPDATE outbox SET next_attempt_at = now() - interval '1 hour' WHERE delivered_at IS NULL AND payload ->> 'status' = 'resolved'")
            _ = try run(["notify"])
            #expect(Self.likelyMiss(receiver).isEmpty, "\(Self.likelyMiss(receiver))")
            // The firing falls due: one notify sends both, in order.
            try db.connect().execute("UPDATE outbox SET next_attempt_at = now() - interval '1 hour' WHERE delivered_at IS NULL")
            _ = try run(["notify"])
            let sent = Self.likelyMiss(receiver)
            #expect(sent.map(\.status) == ["firing", "resolved"])
            #expect(Set(sent.map(\.key)).count == 2)
            #expect(receiver.requests.contains { Self.rule(of: $0) == "met" })
            #expect(try db.connect().query("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").scalar(Int.self) == 0)
        }
    }

    @Test("a delivery that fails with a database error still leaves the news printed, exit 0 and the notification queued")
    func newsSurvivesDeliveryError() throws {
        try withAlerting { db, receiver, env, run in
            _ = try run(["evaluate", "--as-of", "2023-11-14"])
            // The outbox cannot be marked: the round's UPDATE fails after the evaluation has committed.
            try db.connect().executeScript(
                """
                CREATE FUNCTION refuse_outbox_update() RETURNS trigger LANGUAGE plpgsql AS
                    $$ BEGIN RAISE EXCEPTION 'outbox is read-only in this test'; END $$;
                CREATE TRIGGER refuse_outbox_update BEFORE UPDATE ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox_update();
                """)
            let firing = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo, environment: env)
            #expect(firing.status == 0, "\(firing)")
            #expect(firing.stdout.contains("eu-1m-rounds: alert PledgeLikelyMiss FIRING"), "\(firing.stdout)")
            #expect(firing.stderr.contains("webhook delivery stopped"), "\(firing.stderr)")
            #expect(firing.stderr.contains("outbox is read-only in this test"), "\(firing.stderr)")
            // Nothing marked: the notification waits for the next round.
            #expect(try db.connect().query("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").scalar(Int.self) >= 1)
        }
    }

    @Test("a delivery round starts no message once its budget is spent or it is told to stop; what is left goes next time")
    func deliveryBudgetAndStop() throws {
        try withAlerting(receiverDown: true) { db, receiver, env, run in
            // Three messages queued while the receiver is down: likely_miss firing and resolved, met firing.
            _ = try run(["evaluate", "--as-of", "2023-11-14"])
            _ = try run(["evaluate", "--as-of", "2023-11-14"])
            _ = try run(["delivery", "report-total", "eu-1m-rounds", "--total", "1000000", "--as-of", "2023-11-16"])
            _ = try run(["evaluate", "--as-of", "2023-11-16"])
            _ = try run(["evaluate", "--as-of", "2023-11-16"])
            let connection = try db.connect()
            let outbox = OutboxRepository(connection)
            let queued = try outbox.pendingCount()
            #expect(queued >= 3)
            try receiver.start()
            try connection.execute("UPDATE outbox SET next_attempt_at = now() - interval '1 hour'")
            let sender = WebhookSender(connection: connection)

            // A budget already spent: nothing is sent, nothing is marked.
            let none = try sender.deliverDue(budget: .zero)
            #expect(none.delivered == 0 && none.failed == 0)
            #expect(receiver.requests.isEmpty)
            #expect(try outbox.pendingCount() == queued)

            // Told to stop once the receiver has one message: exactly one goes, the first queued.
            let one = try sender.deliverDue(stop: { receiver.requests.count >= 1 })
            #expect(one.delivered == 1)
            #expect(receiver.requests.count == 1)
            #expect(try outbox.pendingCount() == queued - 1)
            let first = try connection.query("SELECT idempotency_key FROM outbox ORDER BY id LIMIT 1").scalar(String.self)
            #expect(receiver.requests.first?.idempotencyKey == first)

            // The next call sends the rest, each once.
            let rest = try sender.deliverDue()
            #expect(rest.delivered == queued - 1)
            #expect(try outbox.pendingCount() == 0)
            let keys = receiver.requests.compactMap(\.idempotencyKey)
            #expect(keys.count == queued && Set(keys).count == queued)
        }
    }

    @Test("evaluate refuses an as-of day before the latest evaluation's (65) and changes nothing; the same day again is fine")
    func asOfGoesForward() throws {
        try ScratchDatabase.with { db in
            try seeded(db)
            #expect(try Pledgewatch.run(["evaluate", "--as-of", "2023-11-15"], database: db.conninfo).status == 0)
            let before = try DatabaseSnapshot.take(db)
            let back = try Pledgewatch.run(["evaluate", "--as-of", "2023-11-14"], database: db.conninfo)
            #expect(back.status == 65, "\(back)")
            #expect(back.stderr.contains("as-of") && back.stderr.contains("2023-11-14") && back.stderr.contains("2023-11-15"), "\(back.stderr)")
            #expect(back.stdout.isEmpty)
            #expect(try DatabaseSnapshot.take(db) == before)
            #expect(try Pledgewatch.run(["evaluate", "--as-of", "2023-11-15"], database: db.conninfo).status == 0)
            #expect(try Pledgewatch.run(["check", "--as-of", "2023-11-14"], database: db.conninfo).status == 2, "the past is for check")
            // Nor a day after today: it would refuse every run until that day came.
            let unchanged = try DatabaseSnapshot.take(db)
            let ahead = try Pledgewatch.run(["evaluate", "--as-of", isoDate(daysFromNow: 2)], database: db.conninfo)
            #expect(ahead.status == 65, "\(ahead)")
            #expect(ahead.stderr.contains("no later than today"), "\(ahead.stderr)")
            #expect(try DatabaseSnapshot.take(db) == unchanged)
            #expect(try Pledgewatch.run(["evaluate"], database: db.conninfo).status == 0)
            // A run left as of a later day (an earlier release allowed it, or a clock ran ahead) does not block
            // the plain, as-of-today evaluation cron and serve run.
            try db.connect().execute("UPDATE assessment SET as_of = as_of + 30")
            let plain = try Pledgewatch.run(["evaluate"], database: db.conninfo)
            #expect(plain.status == 0, "\(plain)")
        }
    }
}
