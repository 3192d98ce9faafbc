import Foundation

/// The probabilistic method for one to four intervals: a Student-t model of the log delivery rate.
///
/// ℓ_i = ln r_i, weighted (see `WeightedInterval`); μ = the weighted mean of ℓ_i;
/// ln r_future ~ Student-t(ν₀; μ, σ₀·√(1 + 1/m_eff)), with m_eff = (Σw)² / Σw² the effective number of
/// intervals, so the spread shrinks from σ₀·√2 towards σ₀ as data accrue.
/// P(on time) = P(r_future ≥ r_req); the total at the deadline is y_n + H·r at the rate's quantiles;
/// completion is t_n + R / r at the rate's quantiles.
///
/// Why the spread does not use the sample variance of these few intervals: with one to three degrees of
/// freedom it is mostly noise, and letting it in breaks a property users rely on — more delivered would
/// sometimes *lower* P(on time) (a low rate raised towards the mean narrows the spread). Volatility
/// measured from the data enters through the block bootstrap once there are enough intervals.
public struct LogRateModel: ProjectionMethod {
    public let name = "log_rate"
    public init() {}

    /// The predictive distribution of ln r_future, or nil when there is no interval to learn from.
    public func predictive(_ input: ProjectionInput) -> (mu: Double, scale: Double, t: StudentT)? {
        let weighted = WeightedInterval.weigh(input)
        guard !weighted.isEmpty else { return nil }
        let totalWeight = weighted.reduce(0) { $0 + $1.weight }
        guard totalWeight > 0 else { return nil }
        let mu = weighted.reduce(0) { $0 + $1.weight * log($1.flooredRate) } / totalWeight
        let effective = totalWeight * totalWeight / weighted.reduce(0) { $0 + $1.weight * $1.weight }
        let scale = input.settings.priorSigma * sqrt(1 + 1 / effective)
        return (mu, scale, StudentT(degreesOfFreedom: input.settings.priorWeight))
    }

    public func project(_ input: ProjectionInput) -> Projection {
        guard let (mu, scale, t) = predictive(input) else {
            let none = input.completionDate(rate: 0)
            return Projection(
                method: name, totalAtDeadline: Quantiles(p10: input.delivered, p50: input.delivered, p90: input.delivered),
                probabilityOnTime: input.remaining == 0 ? 1 : nil, completion: Quantiles(p10: none, p50: none, p90: none), rate: 0)
        }
        func rate(at p: Double) -> Double { exp(mu + scale * t.quantile(p)) }
        let probability: Double
        if input.remaining == 0 {
            probability = 1
        } else if input.requiredRate.isInfinite {
            probability = 0
        } else {
            probability = 1 - t.cdf((log(input.requiredRate) - mu) / scale)
        }
        let horizon = Double(input.horizon)
        let (fast, central, slow) = (rate(at: 0.9), exp(mu), rate(at: 0.1))
        return Projection(
            method: name,
            totalAtDeadline: Quantiles(
                p10: input.delivered + fast * horizon, p50: input.delivered + central * horizon,
                p90: input.delivered + slow * horizon),
            probabilityOnTime: min(1, max(0, probability)),
            completion: Quantiles(
                p10: input.completionDate(rate: fast), p50: input.completionDate(rate: central),
                p90: input.completionDate(rate: slow)),
            rate: central)
    }
}
