import ArgumentParser
import Foundation
import Logging
import PledgeCore
import PledgeService
import Postgres

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: HTTP API, scheduled and change-triggered evaluations, metrics.",
        discussion: """
            Every flag has an environment variable: PLEDGEWATCH_LISTEN, PLEDGEWATCH_INTERVAL (seconds), \
            PLEDGEWATCH_TOKEN_FILE, PLEDGEWATCH_WEBHOOK_URL, PLEDGEWATCH_LOG_FORMAT, \
            PLEDGEWATCH_REPORTING_CURRENCY; PLEDGEWATCH_LOG_LEVEL has no flag. The database comes from \
            --database-url / DATABASE_URL / PG*. \
            Several replicas may share a database: one leads evaluations (an advisory lock), all serve reads. \
            SIGTERM or SIGINT stops it gracefully (exit 0).

            Routes: GET /v1/dashboard (ETag, If-None-Match → 304, gzip), /v1/pledges, /v1/pledges/{id}, \
            /v1/alerts?state=open|firing|pending, /healthz, /readyz, /metrics.

            Example:
              pledgewatch serve --listen 127.0.0.1:8080 --interval 900 \\
                --token-file /etc/pledgewatch/token
            """)

    @Option(help: "HOST:PORT to listen on (port 0: any free port, printed on stdout).") var listen: String?
    @Option(help: "Seconds between scheduled evaluations (default 900).") var interval: Int?
    @Option(name: .customLong("token-file"), help: "Require `Authorization: Bearer <token>` (from this file) on all routes but /healthz.")
    var tokenFile: String?
    @Option(name: .customLong("webhook-url"), help: "POST firing/resolved notifications here.") var webhookURL: String?
    @Option(name: .customLong("log-format"), help: "text or json.") var logFormat: String?
    @Option(name: .customLong("reporting-currency"), help: "Currency of the dashboard's money totals.") var reportingCurrency: String?
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        MallocArenas.limit()
        let environment = ProcessInfo.processInfo.environment
        var configuration = ServeConfiguration()
        let format = logFormat ?? environment["PLEDGEWATCH_LOG_FORMAT"] ?? "text"
        try Failure.guarding {
            configuration.database = connection.configuration
            // Refused now: the daemon's loops would otherwise retry a URL that can never work.
            try configuration.database.validate()
            try configuration.setListen(listen ?? environment["PLEDGEWATCH_LISTEN"] ?? "127.0.0.1:8080")
            // The flag wins; the variable, when it is what counts, must be a number (not silently the default).
            let seconds = try interval ?? environment["PLEDGEWATCH_INTERVAL"].flatMap({ $0.isEmpty ? nil : $0 }).map { text throws(InputError) in
                guard let seconds = Int(text) else {
                    throw InputError.invalid(field: "PLEDGEWATCH_INTERVAL", value: text, expected: "a whole number of seconds, such as 900")
                }
                return seconds
            }
            if let seconds {
                guard seconds >= 1 else { throw InputError.invalid(field: "interval", value: "\(seconds)", expected: "at least 1 second") }
                configuration.interval = .seconds(seconds)
                configuration.refreshCheck = .seconds(min(5, seconds))
                configuration.debounce = .seconds(min(2, seconds))
            }
            if let path = tokenFile ?? environment["PLEDGEWATCH_TOKEN_FILE"] { try configuration.setTokenFile(path) }
            configuration.webhookURL = webhookURL ?? environment["PLEDGEWATCH_WEBHOOK_URL"]
            if let currency = reportingCurrency ?? environment["PLEDGEWATCH_REPORTING_CURRENCY"] {
                guard case .currency(let code) = try PledgeUnit.parse(currency, field: "reporting-currency") else {
                    throw InputError.invalid(field: "reporting-currency", value: currency, expected: "an ISO 4217 code")
                }
                configuration.reportingCurrency = code
            }
            guard ["text", "json"].contains(format) else {
                throw InputError.invalid(field: "log-format", value: format, expected: "text or json")
            }
        }
        var logger = Logger(label: "pledgewatch.serve") { label in
            let level = environment["PLEDGEWATCH_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
            if format == "json" {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        logger[metadataKey: "database"] = "\(configuration.database.target)"
        let host = configuration.host
        let server = Server(configuration: configuration, logger: logger)
        // Only a failure to listen is reported as a command's failure; anything else the daemon's services
        // throw goes out as before.
        do {
            try await run(server, host: host, logger: logger)
        } catch let error as ListenError {
            try Failure.guarding { throw error }
        }
    }

    private func run(_ server: Server, host: String, logger: Logger) async throws {
        try await server.run { [logger] port in
            // Scripts wait for this line; serving goes on without it if stdout cannot take it (a full disk; a
            // closed pipe ends the process with SIGPIPE, as for any command).
            do { try Render.line("pledgewatch serve: listening on http://\(host):\(port)") } catch {
                logger.warning("\(error)")
            }
        }
    }
}
