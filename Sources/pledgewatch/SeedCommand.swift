import ArgumentParser
import PledgeService

struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Load the real pledges from the 2023-11-14 article; running it again changes nothing.",
        discussion: """
            eu-1m-rounds          EU: 1,000,000 artillery rounds by 2024-03-31
                                  (300,000 reported on 2023-11-14)
            eu-20bn-military-aid  EU: €20 billion military aid 2024–2027 (proposed)
            de-8bn-2024           Germany: at least €8 billion in 2024
            eu-rdc-5000-troops    EU: Rapid Deployment Capacity of 5,000 troops by 2025

            Example:
              pledgewatch seed --by demo
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var actor: ActorOptions

    func run() throws {
        try Failure.guarding {
            let summary = try Administration(connection: try connection.connect(), actor: try actor.resolve()).seed()
            if summary.pledgesAdded + summary.reportsAdded > 0 {
                try Render.line("seeded \(summary.pledgesAdded) pledges and \(summary.reportsAdded) reported totals")
            }
        }
    }
}
