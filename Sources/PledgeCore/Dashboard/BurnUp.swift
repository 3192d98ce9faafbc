/// The points a dashboard entry draws its burn-up chart from: at most `limit` of the timeline's points,
/// each one of them as it is (its day, its cumulative total, whether it is the assumed anchor).
///
/// A timeline has a point per day with ledger activity: 100 a pledge at the benchmark's medium scale, and
/// as many as a pledge has busy days in general, which made a dashboard of 10,000 pledges 134 MB and its
/// export read the whole ledger. A timeline of `limit` points or fewer is kept whole. A longer one keeps
/// its anchor, its first reported point (when deliveries began), its latest point, and between them the
/// last point of each of `limit − 3` equal runs of its points: the chart passes through true totals
/// only, and its detail follows the activity (a burst of deliveries after a quiet year is drawn with as
/// many points as the rest). The whole series is `GET /v1/pledges/{id}`'s `timeline`.
public enum BurnUp {
    /// At most this many points per entry.
    public static let limit = 24

    /// The points kept of `points` (a timeline's, in date order).
    public static func points(_ points: [Timeline.Point], limit: Int = Self.limit) -> [Timeline.Point] {
        precondition(limit >= 2, "a burn-up keeps at least its first and last points")
        guard points.count > limit else { return points }
        guard limit > 2 else { return [points[0], points[points.count - 1]] }
        let runs = limit - 3
        // After the anchor and the first reported point, the points before the last: more of them than runs.
        let between = points.count - 3
        var kept = [points[0], points[1]]
        kept.reserveCapacity(limit)
        // Run r holds the points 2 + r·between/runs ..< 2 + (r+1)·between/runs: each at least one point.
        for run in 0..<runs {
            kept.append(points[1 + (run + 1) * between / runs])
        }
        kept.append(points[points.count - 1])
        return kept
    }
}
