import Foundation

extension String {
    /// `trimmingCharacters(in: .whitespaces)`, without Foundation's bridging when there is nothing to trim:
    /// a value that starts and ends with a visible ASCII character is returned as it is (an import trims
    /// every field of every row, and most have no spaces around them).
    public var trimmedOfWhitespace: String {
        var text = self
        let untouched = text.withUTF8 { bytes -> Bool in
            guard let first = bytes.first, let last = bytes.last else { return true }
            func visible(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
            return visible(first) && visible(last)
        }
        return untouched ? text : text.trimmingCharacters(in: .whitespaces)
    }
}
