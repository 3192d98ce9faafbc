import Foundation

/// The probabilistic method for one to four intervals: a Student-t model of the log delivery rate whose
/// prior spread shrinks as intervals accrue.
///
/// ℓ_i = ln r_i, weighted (see `WeightedInterval`); μ = weighted mean; s² = weighted sample variance;
/// σ² = (ν₀σ₀² + (m−1)s²) / (ν₀ + m − 1); ln r_future ~ Student-t(ν₀ + m − 1; μ, σ·√(1 + 1/m_eff)) with
/// m_eff = (Σw)² / Σw² the effective number of intervals.
/// P(on time) = P(r_future ≥ r_req); the total at the deadline is y_n + H·r at the rate's quantiles;
/// completion is t_n + R / r at the rate's quantiles.
public struct LogRateModel: ProjectionMethod {
    public let name = "log_rate"
    public init() {}

    /// The predictive distribution of ln r_future, or nil when there is no interval to learn from.
    public func predictive(_ input: ProjectionInput) -> (mu: Double, scale: Double, t: StudentT)? {
        let weighted = WeightedInterval.weigh(input)
        guard !weighted.isEmpty else { return nil }
        let m = Double(weighted.count)
        let totalWeight = weighted.reduce(0) { $0 + $1.weight }
        guard totalWeight > 0 else { return nil }
        let logs = weighted.map { log($0.flooredRate) }
        let mu = zip(weighted, logs).reduce(0) { $0 + $1.0.weight * $1.1 } / totalWeight
        let sampleVariance =
            m > 1 ? zip(weighted, logs).reduce(0) { $0 + $1.0.weight * ($1.1 - mu) * ($1.1 - mu) } / totalWeight * m / (m - 1) : 0
        let nu0 = input.settings.priorWeight
        let sigma0 = input.settings.priorSigma
        let variance = (nu0 * sigma0 * sigma0 + (m - 1) * sampleVariance) / (nu0 + m - 1)
        let effective = totalWeight * totalWeight / weighted.reduce(0) { $0 + $1.weight * $1.weight }
        let scale = sqrt(variance) * sqrt(1 + 1 / effective)
        return (mu, scale, StudentT(degreesOfFreedom: nu0 + m - 1))
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
