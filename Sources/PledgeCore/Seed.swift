import Foundation

/// The pledges from the source article (2023-11-14), and the figures reported for them.
public enum SeedData {
    /// A pledge to load, with an optional reported total.
    public struct Entry: Sendable {
        public let pledge: NewPledge
        public let reportedTotal: (total: String, asOf: String, source: String)?
    }

    static let article = "Source article of 2023-11-14 on EU and German military aid to Ukraine"

    /// Built from literals that are valid by construction; a failure here is a programming error caught
    /// by the seed tests, never by users.
    public static func entries() throws(InputError) -> [Entry] {
        [
            Entry(
                pledge: try NewPledge(
                    publicID: "eu-1m-rounds", donor: "European Union", recipient: "Ukraine",
                    title: "One million rounds of artillery ammunition within 12 months", category: "military",
                    unit: "rounds", target: "1000000", announced: "2023-03-20", countsFrom: nil, deadline: "2024-03-31",
                    status: "committed", source: article,
                    notes: "Germany's defence minister, 2023-11-14: \"the one million target will not be reached\"."),
                reportedTotal: ("300000", "2023-11-14", "EU: more than 300,000 rounds delivered (2023-11-14)")),
            Entry(
                pledge: try NewPledge(
                    publicID: "eu-20bn-military-aid", donor: "European Union", recipient: "Ukraine",
                    title: "€20 billion of military aid for 2024–2027", category: "military", unit: "EUR",
                    target: "20000000000", announced: "2023-11-14", countsFrom: "2024-01-01", deadline: "2027-12-31",
                    status: "proposed", source: article, notes: "Proposed; would require unanimous backing."),
                reportedTotal: nil),
            Entry(
                pledge: try NewPledge(
                    publicID: "de-8bn-2024", donor: "Germany", recipient: "Ukraine",
                    title: "At least €8 billion of bilateral military aid in 2024", category: "military", unit: "EUR",
                    target: "8000000000", announced: "2023-11-14", countsFrom: "2024-01-01", deadline: "2024-12-31",
                    status: "committed", source: article, notes: ""),
                reportedTotal: nil),
            Entry(
                pledge: try NewPledge(
                    publicID: "eu-rdc-5000-troops", donor: "European Union", recipient: "EU Rapid Deployment Capacity",
                    title: "A Rapid Deployment Capacity of 5,000 troops ready for action by 2025", category: "military",
                    unit: "troops", target: "5000", announced: "2022-03-21", countsFrom: nil, deadline: "2025-12-31",
                    status: "committed", source: "EU Strategic Compass (2022-03-21)", notes: ""),
                reportedTotal: nil),
        ]
    }
}
