import Foundation

/// A JSON value read straight from its UTF-8 bytes: for the JSON the database gives back (`jsonb::text`)
/// where `JSONDecoder`'s generality costs more than the reading (an export decodes a summary per pledge
/// and two label maps per alert). Numbers keep their text; the caller converts what it expects. nil for
/// anything that is not JSON, and for an object with a repeated key (callers then leave the text to
/// `JSONDecoder`, whose answer stands).
public indirect enum JSONText: Equatable, Sendable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([String: JSONText])

    public static func parse(_ text: String) -> JSONText? {
        var text = text
        return text.withUTF8 { bytes -> JSONText? in
            var reader = Reader(bytes: bytes)
            guard let value = reader.value(depth: 0) else { return nil }
            reader.skipSpace()
            return reader.index == bytes.count ? value : nil
        }
    }

    /// A flat object of strings (`{"key": "value", …}`) read straight into a dictionary, without a
    /// `JSONText` per member: an export reads two per alert. nil for anything else, as `parse` would
    /// be (and for a repeated key).
    public static func stringMap(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            var reader = Reader(bytes: bytes)
            reader.skipSpace()
            guard reader.take(UInt8(ascii: "{")) else { return nil }
            var map: [String: String] = [:]
            reader.skipSpace()
            if !reader.take(UInt8(ascii: "}")) {
                repeat {
                    reader.skipSpace()
                    guard let key = reader.string() else { return nil }
                    reader.skipSpace()
                    guard reader.take(UInt8(ascii: ":")) else { return nil }
                    reader.skipSpace()
                    guard let value = reader.string(), map.updateValue(value, forKey: key) == nil else { return nil }
                    reader.skipSpace()
                } while reader.take(UInt8(ascii: ","))
                guard reader.take(UInt8(ascii: "}")) else { return nil }
            }
            reader.skipSpace()
            return reader.index == bytes.count ? map : nil
        }
    }

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var object: [String: JSONText]? { if case .object(let value) = self { value } else { nil } }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func value(depth: Int) -> JSONText? {
            guard depth < 64 else { return nil }
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [String: JSONText] = [:]
                skipSpace()
                if take(UInt8(ascii: "}")) { return .object(members) }
                repeat {
                    skipSpace()
                    guard let key = string() else { return nil }
                    skipSpace()
                    guard take(UInt8(ascii: ":")), let member = value(depth: depth + 1),
                        members.updateValue(member, forKey: key) == nil
                    else { return nil }
                    skipSpace()
                } while take(UInt8(ascii: ","))
                return take(UInt8(ascii: "}")) ? .object(members) : nil
            case UInt8(ascii: "["):
                index += 1
                var elements: [JSONText] = []
                skipSpace()
                if take(UInt8(ascii: "]")) { return .array(elements) }
                repeat {
                    guard let element = value(depth: depth + 1) else { return nil }
                    elements.append(element)
                    skipSpace()
                } while take(UInt8(ascii: ","))
                return take(UInt8(ascii: "]")) ? .array(elements) : nil
            case UInt8(ascii: "\""):
                return string().map(JSONText.string)
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            default: return number()
            }
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, as its text.
        private mutating func number() -> JSONText? {
            let start = index
            _ = take(UInt8(ascii: "-"))
            let integerStart = index
            guard digits() > 0, bytes[integerStart] != UInt8(ascii: "0") || index - integerStart == 1 else { return nil }
            if take(UInt8(ascii: ".")) { guard digits() > 0 else { return nil } }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                guard digits() > 0 else { return nil }
            }
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }

        private mutating func digits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }

        private mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = word.withUTF8Buffer { $0.elementsEqual(UnsafeBufferPointer(rebasing: bytes[index..<index + count])) }
            if matches { index += count }
            return matches
        }

        /// A JSON string: raw runs copied as they are, escapes decoded, surrogate pairs joined.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var start = index
            var escaped: [UInt8]?
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    guard var decoded = escaped else { return String(decoding: run, as: UTF8.self) }
                    decoded.append(contentsOf: run)
                    return String(validating: decoded, as: UTF8.self)
                }
                if byte < 0x20 { return nil }
                if byte == UInt8(ascii: "\\") {
                    var decoded = escaped ?? []
                    decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    index += 1
                    guard index < bytes.count, escape(into: &decoded) else { return nil }
                    escaped = decoded
                    start = index
                    continue
                }
                index += 1
            }
            return nil
        }

        /// The escape after a backslash, appended as UTF-8.
        private mutating func escape(into decoded: inout [UInt8]) -> Bool {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4() else { return false }
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00..<0xE000).contains(low) else {
                        return false
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { return false }
                decoded.append(contentsOf: UTF8.encode(unicode)!)
            default: return false
            }
            return true
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }
    }
}
