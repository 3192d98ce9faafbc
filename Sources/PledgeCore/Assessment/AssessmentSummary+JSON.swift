import Foundation

/// The JSON an evaluation stores with each assessment (the summary, the alternatives, the grade's
/// reasons), written straight into bytes: `JSONEncoder` for these took a tenth of an evaluation's CPU.
/// The same values as the encoder's (tested); "null" for what it would refuse (a value that is not finite).
extension AssessmentSummary {
    public var compactJSON: String { CompactJSON.text(capacity: 1_024) { try $0.write(self) } }
}

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
