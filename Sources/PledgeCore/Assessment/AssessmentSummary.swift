import Foundation

/// An assessment as documents carry it: quantities as decimal strings in the pledge's unit (projections
/// rounded to the unit's decimal places), rates per day, dates as YYYY-MM-DD, nil as JSON null.
public struct AssessmentSummary: Sendable, Codable, Equatable {
    public struct Band: Sendable, Codable, Equatable {
        public let p10: String
        public let p50: String
        public let p90: String
    }

    public struct DateBand: Sendable, Codable, Equatable {
        public let p10: String?
        public let p50: String?
        public let p90: String?
    }

    public let pledge: String
    public let asOf: String
    public let status: String
    public let statusReason: String
    public let target: String
    public let deadline: String
    public let delivered: String
    public let remaining: String
    public let percent: String
    public let daysLeft: Int
    public let requiredRatePerDay: String?
    public let observedRatePerDay: String
    public let paceRatio: Double?
    public let projectedTotalAtDeadline: Band
    public let shortfall: String
    public let probabilityOnTime: Double?
    public let completion: DateBand
    public let method: String
    public let alternatives: [String: String]
    public let observations: Int
    public let spanDays: Int
    public let grade: String
    public let gradeReasons: [String]

    init(
        pledge: String, asOf: String, status: String, statusReason: String, target: String, deadline: String, delivered: String,
        remaining: String, percent: String, daysLeft: Int, requiredRatePerDay: String?, observedRatePerDay: String,
        paceRatio: Double?, projectedTotalAtDeadline: Band, shortfall: String, probabilityOnTime: Double?, completion: DateBand,
        method: String, alternatives: [String: String], observations: Int, spanDays: Int, grade: String, gradeReasons: [String]
    ) {
        self.pledge = pledge
        self.asOf = asOf
        self.status = status
        self.statusReason = statusReason
        self.target = target
        self.deadline = deadline
        self.delivered = delivered
        self.remaining = remaining
        self.percent = percent
        self.daysLeft = daysLeft
        self.requiredRatePerDay = requiredRatePerDay
        self.observedRatePerDay = observedRatePerDay
        self.paceRatio = paceRatio
        self.projectedTotalAtDeadline = projectedTotalAtDeadline
        self.shortfall = shortfall
        self.probabilityOnTime = probabilityOnTime
        self.completion = completion
        self.method = method
        self.alternatives = alternatives
        self.observations = observations
        self.spanDays = spanDays
        self.grade = grade
        self.gradeReasons = gradeReasons
    }

    public init(_ a: Assessment, scale: Int) {
        func quantity(_ value: Double) -> String { Self.decimal(value, scale: scale) }
        pledge = a.pledgeID
        asOf = a.asOf.description
        status = a.status.rawValue
        statusReason = a.statusReason
        target = a.target.plainText
        deadline = a.deadline.description
        delivered = a.delivered.plainText
        remaining = a.remaining.plainText
        percent = Self.decimal(a.target > 0 ? (a.delivered / a.target * 100).doubleValue : 0, scale: 1)
        daysLeft = a.daysLeft
        requiredRatePerDay = a.requiredRate.map { Self.decimal($0, scale: 2) }
        observedRatePerDay = Self.decimal(a.observedRate, scale: 2)
        paceRatio = a.paceRatio.map { ($0 * 10_000).rounded() / 10_000 }
        projectedTotalAtDeadline = Band(
            p10: quantity(a.projectedTotal.p10), p50: quantity(a.projectedTotal.p50), p90: quantity(a.projectedTotal.p90))
        shortfall = quantity(a.shortfall)
        probabilityOnTime = a.probabilityOnTime.map { ($0 * 10_000).rounded() / 10_000 }
        completion = DateBand(p10: a.completion.p10?.description, p50: a.completion.p50?.description, p90: a.completion.p90?.description)
        method = a.method
        alternatives = a.alternatives.mapValues(quantity)
        observations = a.observations
        spanDays = a.spanDays
        grade = a.grade.rawValue
        gradeReasons = a.gradeReasons
    }

    /// A double rounded to `scale` places as `printf`'s `%.Nf` rounds it (the binary value's exact
    /// expansion, to nearest, ties to even), as plain decimal text: no trailing fractional zeros, no `-0`;
    /// "0" for a value that is not finite. Computed exactly in 128-bit integers: the double is
    /// m·2^e, so value·10^scale is m·10^scale shifted by e. The way through `Decimal` (kept for negative
    /// scales and very long figures, and as the tests' reference) cost 4 % of an evaluation, `vsnprintf`
    /// (its arguments boxed as `CVarArg`) 2.5 %.
    public static func decimal(_ value: Double, scale: Int) -> String {
        guard value.isFinite else { return "0" }
        guard let parts = Figure.printfDigits(value, places: scale) else { return decimalThroughDecimal(value, scale: scale) }
        var fraction = parts.fraction
        while fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        var text: [UInt8] = parts.zero || value.sign == .plus ? [] : [UInt8(ascii: "-")]
        text.append(contentsOf: parts.whole)
        if !fraction.isEmpty {
            text.append(UInt8(ascii: "."))
            text.append(contentsOf: fraction)
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func decimalThroughDecimal(_ value: Double, scale: Int) -> String {
        guard value.isFinite else { return "0" }
        var exact = Decimal(string: String(format: "%.\(max(0, scale))f", value), locale: Locale(identifier: "en_US_POSIX")) ?? 0
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, scale, .plain)
        return rounded.description
    }

    /// Explicit nulls, so every key is always present.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pledge, forKey: .pledge)
        try c.encode(asOf, forKey: .asOf)
        try c.encode(status, forKey: .status)
        try c.encode(statusReason, forKey: .statusReason)
        try c.encode(target, forKey: .target)
        try c.encode(deadline, forKey: .deadline)
        try c.encode(delivered, forKey: .delivered)
        try c.encode(remaining, forKey: .remaining)
        try c.encode(percent, forKey: .percent)
        try c.encode(daysLeft, forKey: .daysLeft)
        try c.encode(requiredRatePerDay, forKey: .requiredRatePerDay)
        try c.encode(observedRatePerDay, forKey: .observedRatePerDay)
        try c.encode(paceRatio, forKey: .paceRatio)
        try c.encode(projectedTotalAtDeadline, forKey: .projectedTotalAtDeadline)
        try c.encode(shortfall, forKey: .shortfall)
        try c.encode(probabilityOnTime, forKey: .probabilityOnTime)
        try c.encode(completion, forKey: .completion)
        try c.encode(method, forKey: .method)
        try c.encode(alternatives, forKey: .alternatives)
        try c.encode(observations, forKey: .observations)
        try c.encode(spanDays, forKey: .spanDays)
        try c.encode(grade, forKey: .grade)
        try c.encode(gradeReasons, forKey: .gradeReasons)
    }
}

extension AssessmentSummary.DateBand {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(p10, forKey: .p10)
        try c.encode(p50, forKey: .p50)
        try c.encode(p90, forKey: .p90)
    }
}
