import Foundation

/// A policy as an evaluation run stores it (`evaluation_run.policy`) and a dashboard reads it back. A field
/// a later release adds is missing from older runs' policies: it reads as its default, which is what those
/// runs assessed with (a release that changes a default must add a field for it).
extension AssessmentPolicy {
    /// Throws only for a non-finite number, which `EvaluationOptions` never lets through.
    public func storedJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The stored fields laid over the defaults' (nested objects field by field), then decoded as usual:
    /// one rule for every field, present and future, instead of a hand-written decoder per type.
    public init(storedJSON: String) throws {
        let defaults = try JSONSerialization.jsonObject(with: JSONEncoder().encode(AssessmentPolicy()))
        let stored = try JSONSerialization.jsonObject(with: Data(storedJSON.utf8))
        self = try JSONDecoder().decode(
            AssessmentPolicy.self, from: JSONSerialization.data(withJSONObject: Self.overlay(stored, on: defaults)))
    }

    /// `top` over `base`: objects merge key by key, anything else in `top` wins.
    static func overlay(_ top: Any, on base: Any) -> Any {
        guard let top = top as? [String: Any], let base = base as? [String: Any] else { return top }
        return base.merging(top) { old, new in overlay(new, on: old) }
    }
}
