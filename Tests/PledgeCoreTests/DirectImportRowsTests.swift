import Foundation
import PledgeCore
import PropertyBased
import Testing

@Suite("SHA-256 and the client-side import rows")
struct DirectImportRowsTests {
    @Test("SHA-256 gives FIPS 180-4's example digests", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func digests(_ message: String, _ hex: String) {
        #expect(SHA256.hash(message).hex == hex)
        #expect(SHA256.hash(Array(message.utf8)) == SHA256.hash(message))
    }

    static let pledges = [
        "eu-1m-rounds": DirectImportRows.Pledge(
            id: 7, unit: .count("rounds"), unitScale: 0, countsFrom: CalendarDate(iso: "2023-03-20")!, withdrawn: false)
    ]
    static let today = CalendarDate(iso: "2026-11-25")!

    @Test("identical rows are numbered by occurrence in their keys; the payload hash is the content's; an explicit key is kept")
    func keys() throws {
        var rows = DirectImportRows(pledges: Self.pledges, today: Self.today, actor: "importer")
        let values: [String?] = ["eu-1m-rounds", "2023-12-15", "20000", nil, nil, "BMVg", nil, nil]
        let first = try #require(rows.ledgerRow(values) as [String?]?)
        let second = try #require(rows.ledgerRow(values) as [String?]?)
        let payload = "eu-1m-rounds\u{1F}2023-12-15\u{1F}20000\u{1F}rounds\u{1F}\u{1F}BMVg\u{1F}"
        #expect(first == ["7", "delivery", "2023-12-15", "20000", "BMVg", "", "importer",
                          "import:" + SHA256.hash(payload + "\u{1F}1").hex, SHA256.hash(payload).hex])
        #expect(second[7] == "import:" + SHA256.hash(payload + "\u{1F}2").hex)
        #expect(second[8] == first[8])
        // The same amount written with leading zeros is the same content: the third occurrence.
        var written = values
        written[2] = "020000"
        let third = rows.ledgerRow(written)
        #expect(third?[7] == "import:" + SHA256.hash(payload + "\u{1F}3").hex)
        var keyed = values
        keyed[7] = "usd-1"
        let fourth = rows.ledgerRow(keyed)
        #expect(fourth?[7] == "usd-1")
        #expect(rows.pledgeIDs == [7])
    }

    @Test("a row it cannot vouch for is declined", arguments: [
        (0, "no-such-pledge"), (1, "2023-03-19"), (1, "2026-11-26"), (1, "2023-02-30"), (2, "0.00"), (2, "1.5"), (2, "12a"),
        (3, "USD"), (3, "rounds"), (4, "Germany"), (5, String(repeating: "é", count: 2001)),
        (6, String(repeating: "n", count: 2001)), (7, String(repeating: "k", count: 201)),
    ] as [(Int, String)])
    func declines(_ column: Int, _ value: String) {
        var rows = DirectImportRows(pledges: Self.pledges, today: Self.today, actor: "importer")
        var values: [String?] = ["eu-1m-rounds", "2023-12-15", "20000", nil, nil, nil, nil, nil]
        let clean = rows.ledgerRow(values)
        values[column] = value
        let edited = rows.ledgerRow(values)
        #expect(clean != nil && edited == nil)
    }

    @Test("a key repeated in the file is declined the second time")
    func repeatedKey() {
        var rows = DirectImportRows(pledges: Self.pledges, today: Self.today, actor: "importer")
        let first = rows.ledgerRow(["eu-1m-rounds", "2023-12-15", "1", nil, nil, nil, nil, "k"])
        let second = rows.ledgerRow(["eu-1m-rounds", "2023-12-16", "2", nil, nil, nil, nil, "k"])
        #expect(first != nil && second == nil)
    }
}

@Suite("trimming whitespace")
struct TrimmingTests {
    @Test("trimmedOfWhitespace is trimmingCharacters(in: .whitespaces) for texts with and without spaces around them")
    func sameAsFoundation() async {
        let pieces: [String] = ["", " ", "\t", "\u{A0}", "\u{2003}", "a", "1,000", "é", "€", "\n", "\u{7F}", "x y"]
        await propertyCheck(count: 500, input: Gen<String?>.element(of: pieces).map { $0 ?? "" }.array(of: 0...6)) { parts in
            let text = parts.joined()
            #expect(text.trimmedOfWhitespace == text.trimmingCharacters(in: .whitespaces), "\(Array(text.unicodeScalars))")
        }
    }
}
