import Foundation

/// A policy as an evaluation run stores it (`evaluation_run.policy`) and a dashboard reads it back. A field
/// a later release adds is missing from older runs' policies: it reads as its default, which is what those
/// runs assessed with (a release that changes a default must add a field for it).
extension AssessmentPolicy {
    public var storedJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Doubles, integers and nested structs of them: nothing here can fail to encode.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    public init(storedJSON: String) throws {
        self = try JSONDecoder().decode(AssessmentPolicy.self, from: Data(storedJSON.utf8))
    }

    /// The synthesized keys are private to the type's file; these are the same names.
    enum StoredKey: String, CodingKey {
        case likelyMissBelow, atRiskBelow, stalledAfterDays, minimumDaysForVerdict, projection
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: StoredKey.self)
        self.init()
        likelyMissBelow = try values.decodeIfPresent(Double.self, forKey: .likelyMissBelow) ?? likelyMissBelow
        atRiskBelow = try values.decodeIfPresent(Double.self, forKey: .atRiskBelow) ?? atRiskBelow
        stalledAfterDays = try values.decodeIfPresent(Int.self, forKey: .stalledAfterDays) ?? stalledAfterDays
        minimumDaysForVerdict = try values.decodeIfPresent(Int.self, forKey: .minimumDaysForVerdict) ?? minimumDaysForVerdict
        projection = try values.decodeIfPresent(ProjectionSettings.self, forKey: .projection) ?? projection
    }
}

extension ProjectionSettings {
    enum StoredKey: String, CodingKey {
        case priorSigma, priorWeight, recencyHalfLifeDays, zeroIntervalShare, bootstrapMinimumIntervals, bootstrapRuns
        case bootstrapJitterSigma, seed, completionHorizonDays
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: StoredKey.self)
        self.init()
        priorSigma = try values.decodeIfPresent(Double.self, forKey: .priorSigma) ?? priorSigma
        priorWeight = try values.decodeIfPresent(Double.self, forKey: .priorWeight) ?? priorWeight
        recencyHalfLifeDays = try values.decodeIfPresent(Double.self, forKey: .recencyHalfLifeDays) ?? recencyHalfLifeDays
        zeroIntervalShare = try values.decodeIfPresent(Double.self, forKey: .zeroIntervalShare) ?? zeroIntervalShare
        bootstrapMinimumIntervals =
            try values.decodeIfPresent(Int.self, forKey: .bootstrapMinimumIntervals) ?? bootstrapMinimumIntervals
        bootstrapRuns = try values.decodeIfPresent(Int.self, forKey: .bootstrapRuns) ?? bootstrapRuns
        bootstrapJitterSigma = try values.decodeIfPresent(Double.self, forKey: .bootstrapJitterSigma) ?? bootstrapJitterSigma
        seed = try values.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        completionHorizonDays = try values.decodeIfPresent(Int.self, forKey: .completionHorizonDays) ?? completionHorizonDays
    }
}
