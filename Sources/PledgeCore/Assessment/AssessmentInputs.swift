import Foundation

/// What an assessment is made from, reduced to 64 bits: the as-of day, whether the pledge binds its donor,
/// the terms in force that day, the unit's scale and every point of the timeline. An evaluation stores it
/// with each assessment; a dashboard that shows a stored assessment beside the ledger as it is now compares
/// it with the pledge's current inputs and assesses the pledge afresh when they differ, so an entry never
/// pairs a forecast with a timeline or terms it was not made from.
///
/// Reading every timeline to compare them costs a dashboard the whole ledger, so an evaluation stores a
/// second fingerprint, `revisionFingerprint`, which stands for the timeline by the pledge's ledger revision
/// (raised by every statement that appends entries for it: migration 0010). When that one matches, the
/// stored assessment holds without reading the timeline; when it does not (an entry appended, perhaps
/// dated after the as-of day), the timeline is read and this one decides.
///
/// Equal inputs give equal fingerprints in every process (unlike `Hasher`, which is seeded per process).
/// Different inputs give different fingerprints but for a chance of 2⁻⁶⁴; the same value written
/// differently (a `Decimal` that is not in its compact form) may also give a different fingerprint, which
/// costs a fresh assessment and nothing else. The assessment policy is not part of it: a dashboard assesses
/// with the policy of the run whose assessments it shows.
public enum AssessmentInputs {
    public static func fingerprint(pledge: Pledge, timeline: Timeline, asOf: CalendarDate) -> Int64 {
        var hasher = StableHasher()
        combineTerms(of: pledge, asOf: asOf, into: &hasher)
        hasher.combine(timeline.points.count)
        for point in timeline.points {
            hasher.combine(point.date.daysSinceEpoch &* 2 &+ (point.assumed ? 1 : 0))
            hasher.combine(point.cumulative)
        }
        return Int64(bitPattern: hasher.value)
    }

    /// The version of what a dashboard copies from a stored assessment as it is (the summary's compact
    /// JSON, the burn-up): change it with either's rendering, and assessments stored before are no longer
    /// copied (`BurnUp.limit` is hashed too).
    /// 2: the burn-up keeps the first reported point.
    public static let layout = 2

    /// The same inputs with the pledge's ledger revision in place of its timeline (with the day its
    /// deliveries count from, which the timeline also depends on), and the layout of what is copied.
    public static func revisionFingerprint(pledge: Pledge, ledgerRevision: Int64, asOf: CalendarDate) -> Int64 {
        var hasher = StableHasher()
        hasher.combine(layout)
        hasher.combine(BurnUp.limit)
        combineTerms(of: pledge, asOf: asOf, into: &hasher)
        hasher.combine(pledge.countsFrom.daysSinceEpoch)
        hasher.combine(UInt64(bitPattern: ledgerRevision))
        return Int64(bitPattern: hasher.value)
    }

    private static func combineTerms(of pledge: Pledge, asOf: CalendarDate, into hasher: inout StableHasher) {
        let terms = pledge.terms(on: asOf)
        hasher.combine(asOf.daysSinceEpoch)
        hasher.combine(PledgeStatus.allCases.firstIndex(of: pledge.status)!)
        hasher.combine(terms.deadline.daysSinceEpoch)
        hasher.combine(terms.target)
        hasher.combine(pledge.unit.scale)
    }
}

/// A 64-bit hash that is the same in every process and on every run (little-endian machines): each word
/// is folded into the state through SplitMix64's finalizer, a bijection, so two sequences that differ in
/// one word differ in the state that follows it.
struct StableHasher {
    private(set) var value: UInt64 = 0x243F_6A88_85A3_08D3

    mutating func combine(_ word: UInt64) {
        var z = (value &* 0x9E37_79B9_7F4A_7C15) ^ word
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        value = z ^ (z >> 31)
    }

    mutating func combine(_ int: Int) { combine(UInt64(bitPattern: Int64(int))) }

    /// A `Decimal` by its 20 bytes: its compact form (what parsing and arithmetic give) is unique per value.
    mutating func combine(_ decimal: Decimal) {
        withUnsafeBytes(of: decimal) { bytes in
            var offset = 0
            while offset + 8 <= bytes.count {
                combine(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            var tail: UInt64 = 0
            for index in offset..<bytes.count { tail = tail << 8 | UInt64(bytes[index]) }
            combine(tail ^ UInt64(bytes.count - offset) << 56)
        }
    }
}
