import Foundation
import PledgeCore

/// An alert's labels or annotations — a JSON object of strings, as `jsonb::text` gives it
/// (`{"rule": "PledgeLikelyMiss", "pledge": "p-1"}`) — read by `JSONText.stringMap`. An export reads two per open
/// alert; `JSONDecoder` took a tenth of a medium export for them. Anything that is not an object of strings
/// is left to `JSONDecoder` (the result is the same, tested against it on the server's text).
enum StringMapText {
    /// The object's entries; an empty map for text that is not an object of strings at all.
    static func decode(_ text: String) -> [String: String] {
        if let map = JSONText.stringMap(text) { return map }
        return (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }
}
