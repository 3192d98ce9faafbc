/// Run-rate: the average rate since counting started, carried forward.
///
/// r_obs = (y_n − y_0) / (t_n − t_0), ŷ(T) = y_n + r_obs·H, completion t_n + R / r_obs. Works from a single
/// report. t_n is the evaluation date: what was delivered is known to stand as of then.
public struct RunRate: ProjectionMethod {
    public let name = "run_rate"
    public init() {}

    public func observedRate(_ input: ProjectionInput) -> Double {
        input.elapsed > 0 ? input.delivered / Double(input.elapsed) : 0
    }

    public func project(_ input: ProjectionInput) -> Projection {
        let rate = max(0, observedRate(input))
        let total = input.delivered + rate * Double(input.horizon)
        let completion = input.completionDate(rate: rate)
        return Projection(
            method: name, totalAtDeadline: Quantiles(p10: total, p50: total, p90: total), probabilityOnTime: nil,
            completion: Quantiles(p10: completion, p50: completion, p90: completion), rate: rate)
    }
}
