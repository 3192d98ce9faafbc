import ArgumentParser
import PledgeStore

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the schema files carried in this binary, in order.",
        discussion: """
            Each file runs in its own transaction and is recorded with its SHA-256 in schema_migrations. \
            Two migrations at once take turns: the second finds nothing to do. A file edited after it was \
            applied is refused by name (exit 78).

            Examples:
              pledgewatch migrate
              pledgewatch migrate --status
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .long, help: "List applied and pending files; change nothing.")
    var status = false

    struct StatusView: Encodable {
        let name: String
        let state: String
        let appliedAt: String?
    }

    func run() throws {
        try Failure.guarding {
            let db = try connection.connect()
            if status {
                let entries = try Migrator().status(on: db)
                if output.json {
                    try Render.json(entries.map { StatusView(name: $0.name, state: $0.state.rawValue, appliedAt: $0.appliedAt) })
                } else {
                    try Render.table(["FILE", "STATE", "APPLIED AT"], entries.map { [$0.name, $0.state.rawValue, $0.appliedAt ?? ""] })
                }
                return
            }
            let applied = try Migrator().migrate(on: db)
            if output.json {
                try Render.json(["applied": applied])
            } else {
                for name in applied { try Render.line("applied \(name)") }
            }
        }
    }
}
