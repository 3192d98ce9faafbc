import Foundation

/// The summary as JSON, both ways: written as an evaluation stores it, read back as an export reads it.
extension AssessmentSummary {
    /// As an evaluation stores it (`CompactJSON` writes the alternatives and the grade's reasons).
    public var compactJSON: String { CompactJSON.text(capacity: 1_024) { try $0.write(self) } }

    /// A stored summary from its JSON text, whatever its layout: by `init(jsonText:)` (an export reads one
    /// per pledge), or by `JSONDecoder` for whatever that does not read as the decoder would.
    public init(storedJSON json: String) throws {
        if let summary = AssessmentSummary(jsonText: json) {
            self = summary
        } else {
            self = try JSONDecoder().decode(AssessmentSummary.self, from: Data(json.utf8))
        }
    }

    /// A stored summary read back from its JSON text (`jsonb::text`) by `JSONText`: an export reads one per
    /// pledge, and `JSONDecoder` took an eighth of it. nil for anything this does not read as the decoder
    /// would — a missing field, a number where a string belongs — and the caller asks the decoder.
    public init?(jsonText text: String) {
        guard let fields = JSONText.parse(text)?.object else { return nil }
        func string(_ key: String) -> String? { fields[key]?.string }
        /// `.some(nil)` for null or absent (as the decoder reads an optional), nil for anything else.
        func optional<T>(_ key: String, _ read: (JSONText) -> T?) -> T?? {
            guard let value = fields[key], value != .null else { return .some(nil) }
            return read(value).map { .some($0) }
        }
        func number<T>(_ value: JSONText, _ convert: (String) -> T?) -> T? {
            if case .number(let text) = value { convert(text) } else { nil }
        }
        func int(_ key: String) -> Int? { fields[key].flatMap { number($0) { Int($0) } } }
        func double(_ value: JSONText) -> Double? { number(value) { Double($0) }.flatMap { $0.isFinite ? $0 : nil } }
        func strings(_ value: JSONText) -> [String]? {
            guard case .array(let elements) = value else { return nil }
            let strings = elements.compactMap(\.string)
            return strings.count == elements.count ? strings : nil
        }
        guard let pledge = string("pledge"), let asOf = string("asOf"), let status = string("status"),
            let statusReason = string("statusReason"), let target = string("target"), let deadline = string("deadline"),
            let delivered = string("delivered"), let remaining = string("remaining"), let percent = string("percent"),
            let daysLeft = int("daysLeft"), let requiredRatePerDay = optional("requiredRatePerDay", \.string),
            let observedRatePerDay = string("observedRatePerDay"), let paceRatio = optional("paceRatio", double),
            let band = fields["projectedTotalAtDeadline"]?.object, let p10 = band["p10"]?.string, let p50 = band["p50"]?.string,
            let p90 = band["p90"]?.string, let shortfall = string("shortfall"),
            let probabilityOnTime = optional("probabilityOnTime", double), let completion = fields["completion"]?.object,
            let method = string("method"), let alternativeFields = fields["alternatives"]?.object,
            let observations = int("observations"), let spanDays = int("spanDays"), let grade = string("grade"),
            let gradeReasons = fields["gradeReasons"].flatMap(strings)
        else { return nil }
        func date(_ key: String) -> String?? {
            guard let value = completion[key], value != .null else { return .some(nil) }
            return value.string.map { .some($0) }
        }
        let alternatives = alternativeFields.compactMapValues(\.string)
        guard alternatives.count == alternativeFields.count, let c10 = date("p10"), let c50 = date("p50"), let c90 = date("p90") else {
            return nil
        }
        self.init(
            pledge: pledge, asOf: asOf, status: status, statusReason: statusReason, target: target, deadline: deadline,
            delivered: delivered, remaining: remaining, percent: percent, daysLeft: daysLeft, requiredRatePerDay: requiredRatePerDay,
            observedRatePerDay: observedRatePerDay, paceRatio: paceRatio, projectedTotalAtDeadline: Band(p10: p10, p50: p50, p90: p90),
            shortfall: shortfall, probabilityOnTime: probabilityOnTime, completion: DateBand(p10: c10, p50: c50, p90: c90),
            method: method, alternatives: alternatives, observations: observations, spanDays: spanDays, grade: grade,
            gradeReasons: gradeReasons)
    }
}

extension AssessmentSummary {
    /// The top-level keys `compactJSON` writes, in its order.
    static let storedKeys: [StaticString] = [
        "alternatives", "asOf", "completion", "daysLeft", "deadline", "delivered", "grade", "gradeReasons", "method", "observations",
        "observedRatePerDay", "paceRatio", "percent", "pledge", "probabilityOnTime", "projectedTotalAtDeadline", "remaining",
        "requiredRatePerDay", "shortfall", "spanDays", "status", "statusReason", "target",
    ]

    /// Whether `text` is one JSON object whose top-level keys are exactly those `compactJSON` writes, in
    /// its order: what a dashboard checks of a stored summary before copying it into a document as it is,
    /// so a summary edited by hand, or stored by another version, is refused rather than copied. One pass
    /// over the bytes; nested values are only skipped.
    public static func hasStoredLayout(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes -> Bool in
            guard bytes.count >= 2, bytes[0] == UInt8(ascii: "{") else { return false }
            var depth = 0
            var index = 0
            var keys = 0
            var expectsKey = false
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    var end = index + 1
                    while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                    guard end < bytes.count else { return false }
                    if depth == 1, expectsKey {
                        guard keys < storedKeys.count else { return false }
                        let matches = storedKeys[keys].withUTF8Buffer { key in
                            end - index - 1 == key.count && zip(key, bytes[(index + 1)..<end]).allSatisfy { $0 == $1 }
                        }
                        guard matches else { return false }
                        keys += 1
                        expectsKey = false
                    }
                    index = end
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    expectsKey = depth == 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index == bytes.count - 1 && keys == storedKeys.count }
                    guard depth > 0 else { return false }
                case UInt8(ascii: ","):
                    expectsKey = depth == 1
                default:
                    break
                }
                index += 1
            }
            return false
        }
    }
}
