import Foundation
import PledgeCore
import PledgeService

/// Output for people (aligned tables) and for programs (JSON with sorted keys).
enum Render {
    /// Writes a result line to stdout; a failed write (a full disk) throws, and the command exits 74.
    static func line(_ text: String) throws {
        try StandardStream.output.write(text + "\n")
    }

    /// Writes result lines to stdout 64 KiB at a time: a write per line was a system call per line (a
    /// first evaluation of 10,000 pledges reports 20,000 changes), each waking whatever reads the pipe.
    static func lines(_ texts: some Sequence<String>) throws {
        var output = BufferedStandardOutput()
        for text in texts {
            try output.append(contentsOf: text.utf8)
            try output.append(contentsOf: CollectionOfOne(0x0A))
        }
        try output.flush()
    }

    /// Standard output, written 64 KiB at a time (result lines, an exported document's pieces).
    struct BufferedStandardOutput {
        private var pending = WriteBuffer()
        private static func out(_ bytes: UnsafeRawBufferPointer) throws { try StandardStream.output.write(bytes) }

        mutating func append(_ bytes: UnsafeRawBufferPointer) throws { try pending.write(bytes, to: Self.out) }

        mutating func append(contentsOf bytes: some Sequence<UInt8>) throws { try pending.write(contentsOf: bytes, to: Self.out) }

        /// Writes what is buffered.
        mutating func flush() throws { try pending.flush(to: Self.out) }
    }

    /// Pretty, sorted, stable JSON on stdout.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try line(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// An aligned table; columns listed in `rightAligned` (by index) are right-aligned. A cell's characters
    /// that a terminal would act on (a line break, an escape sequence stored before the ledger refused
    /// them) are shown as `\u{…}`, so every row stays one line.
    static func table(_ header: [String], _ cells: [[String]], rightAligned: Set<Int> = []) throws {
        let rows = cells.map { $0.map { FreeText.visible($0) } }
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        try lines(([header] + rows).lazy.map(format))
    }

    /// `1000000` → `1,000,000`; decimals kept exactly.
    static func grouped(_ value: Decimal) -> String {
        let text = value.description
        let negative = text.hasPrefix("-")
        let unsigned = negative ? String(text.dropFirst()) : text
        let parts = unsigned.split(separator: ".", maxSplits: 1)
        var integer = String(parts[0])
        var groups: [String] = []
        while integer.count > 3 {
            groups.insert(String(integer.suffix(3)), at: 0)
            integer.removeLast(3)
        }
        groups.insert(integer, at: 0)
        return (negative ? "-" : "") + groups.joined(separator: ",") + (parts.count > 1 ? "." + parts[1] : "")
    }
}
