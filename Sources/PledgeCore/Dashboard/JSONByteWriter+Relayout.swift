/// JSON text laid out anew by a writer: how an export copies a stored assessment into a document.
extension JSONByteWriter {
    /// A JSON value given as text (whitespace outside strings ignored), written in this writer's layout:
    /// its strings, numbers and literals copied as they are, its structure laid out as `openObject`,
    /// `field`, `item` and the rest would. So the compact JSON this writer wrote for a value becomes the
    /// pretty bytes it would write for the same value, without parsing it into values again (an export
    /// copies each stored assessment into the document so). Throws `Malformed` for text that is not one
    /// JSON value (literals, numbers and escapes checked against JSON's grammar; strings' other bytes
    /// copied as they are: the caller's text is valid UTF-8); keys are taken in the order given.
    mutating func json(_ text: String) throws {
        var text = text
        try text.withUTF8 { try json(utf8: $0) }
    }

    struct Malformed: Error, CustomStringConvertible {
        let offset: Int
        var description: String { "malformed JSON at byte \(offset)" }
    }

    private mutating func json(utf8 input: UnsafeBufferPointer<UInt8>) throws {
        enum Next { case value, key, separatorOrEnd, nothing }
        // The containers open in the text: true for an object.
        var objects: [Bool] = []
        var next = Next.value
        /// Just after `{` or `[`: the container may end at once.
        var justOpened = false
        /// The value about to come is an object's (its key written): no list item to begin.
        var afterKey = false
        var index = 0
        /// The end of the string that opens at `start` (just past its closing quote).
        func stringEnd(from start: Int) throws -> Int {
            var at = start + 1
            while at < input.count {
                switch input[at] {
                case UInt8(ascii: "\\"):
                    guard at + 1 < input.count else { throw Malformed(offset: at) }
                    switch input[at + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        at += 2
                    case UInt8(ascii: "u"):
                        guard at + 5 < input.count, (at + 2...at + 5).allSatisfy({ Self.isHexDigit(input[$0]) }) else {
                            throw Malformed(offset: at)
                        }
                        at += 6
                    default: throw Malformed(offset: at)
                    }
                case UInt8(ascii: "\""): return at + 1
                case 0..<0x20: throw Malformed(offset: at)
                default: at += 1
                }
            }
            throw Malformed(offset: start)
        }
        func copy(_ range: Range<Int>) { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[range])) }
        while true {
            while index < input.count, input[index] == 0x20 || input[index] == 0x0A || input[index] == 0x0D || input[index] == 0x09 {
                index += 1
            }
            guard index < input.count else { break }
            let byte = input[index]
            let closes = byte == UInt8(ascii: "}") ? true : byte == UInt8(ascii: "]") ? false : nil
            if let closes, next == .separatorOrEnd || (justOpened && objects.last == closes) {
                guard objects.last == closes else { throw Malformed(offset: index) }
                objects.removeLast()
                closes ? closeObject() : closeList()
                index += 1
                justOpened = false
                next = objects.isEmpty ? .nothing : .separatorOrEnd
                continue
            }
            justOpened = false
            switch next {
            case .nothing:
                throw Malformed(offset: index)
            case .separatorOrEnd:
                guard byte == UInt8(ascii: ",") else { throw Malformed(offset: index) }
                index += 1
                next = objects.last! ? .key : .value
            case .key:
                guard byte == UInt8(ascii: "\"") else { throw Malformed(offset: index) }
                let end = try stringEnd(from: index)
                item()
                copy(index..<end)
                colon()
                index = end
                while index < input.count, input[index] == 0x20 || input[index] == 0x0A || input[index] == 0x0D || input[index] == 0x09 {
                    index += 1
                }
                guard index < input.count, input[index] == UInt8(ascii: ":") else { throw Malformed(offset: index) }
                index += 1
                next = .value
                afterKey = true
            case .value:
                if !afterKey, !objects.isEmpty { item() }
                afterKey = false
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isObject = byte == UInt8(ascii: "{")
                    isObject ? openObject() : openList()
                    objects.append(isObject)
                    index += 1
                    justOpened = true
                    next = isObject ? .key : .value
                    continue
                case UInt8(ascii: "\""):
                    let end = try stringEnd(from: index)
                    copy(index..<end)
                    index = end
                default:
                    let start = index
                    while index < input.count, Self.scalarBytes[Int(input[index])] { index += 1 }
                    guard Self.isLiteralOrNumber(UnsafeBufferPointer(rebasing: input[start..<index])) else {
                        throw Malformed(offset: start)
                    }
                    copy(start..<index)
                }
                next = objects.isEmpty ? .nothing : .separatorOrEnd
            }
        }
        guard next == .nothing else { throw Malformed(offset: input.count) }
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    /// `true`, `false`, `null`, or a number as JSON writes one: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func isLiteralOrNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.elementsEqual("true".utf8) || bytes.elementsEqual("false".utf8) || bytes.elementsEqual("null".utf8) { return true }
        var at = 0
        func digits() -> Int {
            let start = at
            while at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) { at += 1 }
            return at - start
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
        let whole = at
        guard digits() > 0, bytes[whole] != UInt8(ascii: "0") || at == whole + 1 else { return false }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1
            guard digits() > 0 else { return false }
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            at += 1
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard digits() > 0 else { return false }
        }
        return at == bytes.count
    }

    /// The bytes of numbers and of `true`, `false` and `null`.
    private static let scalarBytes: [Bool] = (0..<256).map { byte in
        let ascii = UInt8(byte)
        return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(ascii) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(ascii)
            || ascii == UInt8(ascii: "-") || ascii == UInt8(ascii: "+") || ascii == UInt8(ascii: ".") || ascii == UInt8(ascii: "E")
    }
}
