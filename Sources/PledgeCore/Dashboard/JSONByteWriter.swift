import Foundation

/// Writes JSON straight into bytes, keys in the order of their UTF-8 bytes (as `JSONEncoder` sorts them),
/// in one of two layouts:
/// - pretty, exactly as `DashboardDocument.encoder` writes: two spaces per level, `"key" : value`, slashes
///   unescaped, an empty list or object as `[`, a blank line, `]`. The stream encoder writes a batch of
///   entries or alerts so instead of through `JSONEncoder`, which builds a tree of boxed values and sorts
///   every object's keys at run time (a fifth of an export's time went there);
/// - compact (`{"key":value}`), for the JSON an evaluation stores with each assessment.
/// Property tests hold both to the encoder.
///
/// A pretty writer starts inside the containers around what it writes (`depth` of them, the innermost
/// holding items already or not), so the bytes it gives continue a document.
struct JSONByteWriter {
    /// What is written so far (appended to directly only by the re-layout, `JSONByteWriter+Relayout.swift`).
    var bytes: [UInt8] = []
    private let pretty: Bool
    private var depth: Int
    /// For each container this writer opened, and the one it started in: nothing written in it yet.
    private var empty: [Bool]

    init(depth: Int, innermostIsEmpty: Bool, capacity: Int = 0) {
        self.init(depth: depth, innermostIsEmpty: innermostIsEmpty, reusing: [], capacity: capacity)
    }

    /// The same, writing into `buffer`'s memory (emptied first): a caller that writes piece after piece keeps
    /// one buffer instead of asking for new pages each time.
    init(depth: Int, innermostIsEmpty: Bool, reusing buffer: consuming [UInt8], capacity: Int) {
        pretty = true
        self.depth = depth
        empty = [innermostIsEmpty]
        // Moved, not copied: a second reference would make the `removeAll` below allocate anew.
        bytes = consume buffer
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(capacity)
    }

    /// Hands what is written so far to `sink` and starts again in the same memory; the layout carries on
    /// as if nothing had been taken.
    mutating func drain(into sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes { try sink($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    /// The buffer, for a later writer to reuse; this one is left without it.
    mutating func releaseBuffer() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    /// A compact writer, for one value.
    init(compactCapacity capacity: Int) {
        pretty = false
        depth = 0
        empty = [true]
        bytes.reserveCapacity(capacity)
    }

    /// The bytes as a string (they are UTF-8).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Structure

    /// Before a list item: the separator, and in the pretty layout a new line and the indentation.
    mutating func item() {
        if empty[empty.count - 1] { empty[empty.count - 1] = false } else { bytes.append(UInt8(ascii: ",")) }
        guard pretty else { return }
        bytes.append(0x0A)
        indent()
    }

    /// Before an object's value: the separator, the key and its colon. The key must be plain ASCII (a field
    /// name), as every key given as a literal is.
    mutating func field(_ name: StaticString) {
        item()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        colon()
    }

    /// A key that may need escaping (a dictionary's).
    mutating func key(_ name: String) throws {
        item()
        try string(name)
        colon()
    }

    mutating func openObject() { open(UInt8(ascii: "{")) }
    mutating func closeObject() { close(UInt8(ascii: "}")) }
    mutating func openList() { open(UInt8(ascii: "[")) }
    mutating func closeList() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        depth += 1
        empty.append(true)
    }

    private mutating func close(_ bracket: UInt8) {
        let wasEmpty = empty.removeLast()
        depth -= 1
        if pretty {
            bytes.append(0x0A)
            if wasEmpty { bytes.append(0x0A) }
            indent()
        }
        bytes.append(bracket)
    }

    /// What lies around the values of objects that all have the same fields, in the list being written:
    /// built once, then copied for each object (the burn-up points are most of a document's bytes). One
    /// buffer for all the pieces, so copying one takes no reference count.
    struct UniformObjects {
        /// Before each field's value (the separator, the key, the colon; the first also opens the
        /// object), then the object's end: piece `i` is `bytes[starts[i]..<starts[i + 1]]`.
        fileprivate let bytes: [UInt8]
        fileprivate let starts: [Int]
    }

    /// The layout of objects with these fields (in the encoder's key order, plain ASCII), as items of the
    /// container being written.
    func uniformObjects(fields: [StaticString]) -> UniformObjects {
        func spaces(_ level: Int) -> [UInt8] { pretty ? [0x0A] + Array(repeating: 0x20, count: 2 * level) : [] }
        let colon: [UInt8] = pretty ? Array(" : ".utf8) : [UInt8(ascii: ":")]
        let pieces = fields.enumerated().map { index, name in
            (index == 0 ? spaces(depth) + [UInt8(ascii: "{")] : [UInt8(ascii: ",")]) + spaces(depth + 1) + [UInt8(ascii: "\"")]
                + name.withUTF8Buffer { Array($0) } + [UInt8(ascii: "\"")] + colon
        } + [spaces(depth) + [UInt8(ascii: "}")]]
        return UniformObjects(bytes: pieces.flatMap { $0 }, starts: pieces.reduce(into: [0]) { $0.append($0.last! + $1.count) })
    }

    /// Before field `index` of an object laid out by `layout`; field 0 begins the object, as an item of the
    /// current container. Writes what `item`, `openObject` and `field` would.
    mutating func field(_ index: Int, of layout: UniformObjects) {
        if index == 0 {
            if empty[empty.count - 1] { empty[empty.count - 1] = false } else { bytes.append(UInt8(ascii: ",")) }
        }
        append(piece: index, of: layout)
    }

    /// Ends an object laid out by `layout`, as `closeObject` would.
    mutating func close(_ layout: UniformObjects) { append(piece: layout.starts.count - 2, of: layout) }

    private mutating func append(piece: Int, of layout: UniformObjects) {
        layout.bytes.withUnsafeBufferPointer { all in
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: all[layout.starts[piece]..<layout.starts[piece + 1]]))
        }
    }

    private mutating func indent() {
        for _ in 0..<2 * depth { bytes.append(0x20) }
    }

    /// Between a key and its value: ` : ` or `:`.
    mutating func colon() {
        if pretty { bytes.append(0x20) }
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(0x20) }
    }

    // MARK: Values

    mutating func string(_ value: String) throws { try Self.appendString(value, to: &bytes) }

    /// A date as a JSON string, `"2023-11-14"` (nothing in it to escape), written without making the string.
    mutating func string(_ value: CalendarDate) {
        bytes.append(UInt8(ascii: "\""))
        value.appendISO(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A quantity as a JSON string of its plain text, `"300000.5"` (nothing in it to escape), written
    /// without making the string.
    mutating func string(_ value: Decimal) {
        bytes.append(UInt8(ascii: "\""))
        value.appendPlainText(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func string(_ value: String?) throws {
        if let value { try string(value) } else { null() }
    }

    mutating func int(_ value: Int) { bytes.append(contentsOf: value.description.utf8) }

    mutating func bool(_ value: Bool) { literal(value ? "true" : "false") }

    mutating func null() { literal("null") }

    private mutating func literal(_ text: StaticString) { text.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    /// As the encoder writes a `Double`: its shortest round-trip form, without a trailing `.0`. A value that
    /// is not finite is the encoder's to refuse.
    mutating func double(_ value: Double?) throws {
        guard let value else { return null() }
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(value) is not a JSON number"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    mutating func strings(_ values: [String]) throws {
        openList()
        for value in values {
            item()
            try string(value)
        }
        closeList()
    }

    /// A dictionary of strings, keys in the order of their UTF-8 bytes (as the encoder sorts them).
    mutating func dictionary(_ values: [String: String]) throws {
        try dictionary(values) { try $0.string($1) }
    }

    /// A dictionary of numbers, likewise.
    mutating func dictionary(_ values: [String: Double]) throws {
        try dictionary(values) { try $0.double($1) }
    }

    private mutating func dictionary<Value>(_ values: [String: Value], value write: (inout Self, Value) throws -> Void) throws {
        openObject()
        for (name, value) in values.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            try key(name)
            try write(&self, value)
        }
        closeObject()
    }

    /// A JSON string: written as is when it holds no control character, `"` or `\\` (dates, figures and
    /// nearly all text: the encoder writes every other character as its UTF-8 bytes, which a `String`
    /// always holds valid — tested for every scalar from U+0020 up), else by the encoder itself, so any
    /// escaping is exactly the encoder's.
    static func appendString(_ value: String, to bytes: inout [UInt8]) throws {
        var value = value
        let plain = value.withUTF8 { utf8 in
            !utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        if plain {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
        } else {
            // `[value]` compactly is `["…"]`: the string is what lies between the brackets.
            let encoded = try JSONEncoder.compactWithoutEscapingSlashes.encode([value])
            bytes.append(contentsOf: encoded.dropFirst().dropLast())
        }
    }
}

extension JSONEncoder {
    fileprivate static var compactWithoutEscapingSlashes: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}

/// The JSON an evaluation stores with each assessment, written straight into bytes in the compact layout:
/// `JSONEncoder` for these took a tenth of an evaluation's CPU. The encoder's bytes (sorted keys, slashes
/// unescaped; tested); "null" for what it would refuse (a value that is not finite).
public enum CompactJSON {
    public static func text(_ strings: [String]) -> String { text(capacity: 64) { try $0.strings(strings) } }

    public static func text(_ map: [String: String]) -> String { text(capacity: 128) { try $0.dictionary(map) } }

    public static func text(_ map: [String: Double]) -> String { text(capacity: 128) { try $0.dictionary(map) } }

    static func text(capacity: Int, _ write: (inout JSONByteWriter) throws -> Void) -> String {
        var writer = JSONByteWriter(compactCapacity: capacity)
        do { try write(&writer) } catch { return "null" }
        return writer.text
    }
}
