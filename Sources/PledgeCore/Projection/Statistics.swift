import Foundation

/// Order statistics of projection samples, by selection rather than sorting.
enum Statistics {
    /// Linear-interpolated quantiles (between the order statistics around q·(n−1)) for ascending `qs`,
    /// found by selection (expected linear time) instead of a full sort. Reorders `values`.
    static func quantiles(of values: inout [Double], _ qs: [Double]) -> [Double] {
        guard !values.isEmpty else { return qs.map { _ in 0 } }
        let last = values.count - 1
        let positions = qs.map { $0 * Double(last) }
        let lowers = positions.map { Int($0.rounded(.down)) }
        // Each quantile's two neighbours, in order; `orderStatistics` takes repeats and gives a value per rank.
        let found = orderStatistics(of: &values, ranks: lowers.flatMap { [$0, min($0 + 1, last)] })
        return positions.indices.map { index in
            let (low, high) = (found[2 * index], found[2 * index + 1])
            return low + (high - low) * (positions[index] - Double(lowers[index]))
        }
    }

    /// The values that would be at `ranks` (in any order, repeats allowed) if `values` were sorted.
    /// Reorders `values`.
    ///
    /// The middle rank is selected first; it splits the values, and the ranks below and above it are then
    /// found within their own side only (for the three quantiles of a projection, about five passes over
    /// the values' length instead of seven when each rank is selected from the last one to the end).
    static func orderStatistics(of values: inout [Double], ranks: [Int]) -> [Double] {
        guard !values.isEmpty else { return [] }
        // On the buffers themselves: an array's subscripts and swaps would check bounds and uniqueness.
        values.withUnsafeMutableBufferPointer { values in
            Selection(values: values).select(ranks: Array(Set(ranks)).sorted()[...], low: 0, high: values.count - 1)
        }
        return ranks.map { values[$0] }
    }

    /// Quickselect on a buffer.
    ///
    /// Each pass splits the range at a pivot — Floyd and Rivest's from a sample for ranges of 600 values
    /// and more, else the median of three — into "less than the pivot" and the rest with a branchless
    /// Lomuto partition: a compare and a conditional increment per value, where Hoare's
    /// partition mispredicts a branch about every other value on random samples (four times slower on
    /// 2,000 to 4,000 of them; an out-of-place partition writing each value at both ends of a scratch
    /// buffer measured 6 % slower than this one). When nothing is less than the pivot — it is the range's
    /// least value, as when many samples are equal — a second pass moves the values equal to it to the
    /// front, so equal values cannot make a pass useless.
    struct Selection {
        let values: UnsafeMutableBufferPointer<Double>

        /// Puts each of `ranks` (ascending, distinct, within `low...high`) in its sorted place, given that
        /// no value before `low` is larger and none after `high` smaller than those in `low...high`.
        func select(ranks: ArraySlice<Int>, low: Int, high: Int) {
            var ranks = ranks
            var low = low
            var high = high
            // A rank at an end of the range (the neighbour of one already selected, as for an interpolated
            // quantile) is the least or the greatest of the range: one scan finds it.
            while let first = ranks.first, first == low, low < high {
                moveExtreme(low: low, high: high, to: low)
                ranks.removeFirst()
                low += 1
            }
            while let last = ranks.last, last == high, low < high {
                moveExtreme(low: low, high: high, to: high)
                ranks.removeLast()
                high -= 1
            }
            guard !ranks.isEmpty, low < high else { return }
            var middle = ranks.startIndex + ranks.count / 2
            let rank = ranks[middle]
            let near = select(rank, from: low, through: high)
            // A neighbouring rank (an interpolated quantile's other order statistic) is the greatest value
            // below the one just placed, or the least above it: found among the few values the selection
            // cut off last, rather than by a scan of a whole side.
            var below = ranks[..<middle]
            var lowEnd = rank - 1
            if below.last == rank - 1, rank - 1 >= low {
                moveExtreme(low: near.left, high: rank - 1, to: rank - 1)
                below.removeLast()
                lowEnd -= 1
            }
            middle += 1
            var above = ranks[middle...]
            var highStart = rank + 1
            if above.first == rank + 1, rank + 1 <= high {
                moveExtreme(low: rank + 1, high: near.right, to: rank + 1)
                above.removeFirst()
                highStart += 1
            }
            select(ranks: below, low: low, high: lowEnd)
            select(ranks: above, low: highStart, high: high)
        }

        /// Swaps the least (`to == low`) or the greatest (`to == high`) of `values[low...high]` into `to`.
        /// A NaN has no order: the scan starts from the first number, so a NaN is never kept over one.
        func moveExtreme(low: Int, high: Int, to position: Int) {
            var chosen = position
            if values[chosen].isNaN, let number = (low...high).first(where: { !values[$0].isNaN }) { chosen = number }
            var best = values[chosen]
            if position == low {
                for index in low...high where values[index] < best {
                    chosen = index
                    best = values[index]
                }
            } else {
                for index in low...high where values[index] > best {
                    chosen = index
                    best = values[index]
                }
            }
            values.swapAt(position, chosen)
        }

        /// Afterwards `values[k]` holds the k-th smallest of `values[from...through]`, with no larger value
        /// before it and no smaller one after it (within `from...through`). Returns where its neighbours
        /// are: the greatest value of `from..<k` lies in `left..<k`, the least of `k+1...through` in
        /// `k+1...right`. Each pass cuts a part off one end of the range, every value of which is no
        /// greater (at the left) or no less (at the right) than those of the parts cut off after it, so the
        /// neighbours lie in the last part cut off at each end (or in what is left around `k`).
        @discardableResult
        func select(_ k: Int, from: Int, through: Int) -> (left: Int, right: Int) {
            var low = from
            var high = through
            var left = from
            var right = through
            while low < high {
                let pivot: Double
                if high - low + 1 >= Self.sampled {
                    // Floyd and Rivest: the pivot is the sample's value at k's place, so it lands near k
                    // and one pass leaves k in a small part.
                    pivot = samplePivot(k, low: low, high: high)
                } else {
                    let (a, b, c) = (values[low], values[low + (high - low) / 2], values[high])
                    pivot = max(min(a, b), min(max(a, b), c))
                }
                let less = partition(low, high) { $0 < pivot }
                if k < less {
                    right = high
                    high = less - 1
                } else if less > low {
                    left = low
                    low = less
                } else {
                    let equal = partition(low, high) { $0 <= pivot }
                    // Only a NaN pivot leaves nothing on either side; Hoare's partition copes with it (and
                    // says nothing of where the neighbours are).
                    guard equal > low else {
                        hoareSelect(k, low: low, high: high)
                        return (from, through)
                    }
                    if k < equal { return (left, right) }
                    left = low
                    low = equal
                }
            }
            return (left, right)
        }

        /// Ranges at least this long take their pivot from a sample.
        static let sampled = 600

        /// Floyd and Rivest's pivot for rank `k` of `low...high`: a sample of about n^(2/3)/2 values, spread
        /// evenly over the range, is gathered around `k` and selected at the rank that corresponds to
        /// `k`, nudged by about one standard deviation towards the range's middle, so k most likely falls
        /// in the smaller part of the partition that follows (Floyd & Rivest 1975, algorithm SELECT).
        private func samplePivot(_ k: Int, low: Int, high: Int) -> Double {
            let n = Double(high - low + 1)
            let i = Double(k - low + 1)
            let z = log(n)
            let size = 0.5 * exp(2 * z / 3)
            let deviation = 0.25 * (z * size * (n - size) / n).squareRoot() * (i < n / 2 ? -1 : 1)
            let sampleLow = max(low, Int(Double(k) - i * size / n + deviation))
            let sampleHigh = min(high, Int(Double(k) + (n - i) * size / n + deviation))
            // Gather the sample from across the range (values may come in an order, as pairwise slopes do).
            let count = sampleHigh - sampleLow + 1
            let spacing = (high - low + 1) / count
            for index in 0..<count {
                let from = low + index * spacing
                if from < sampleLow || from > sampleHigh { values.swapAt(sampleLow + index, from) }
            }
            select(k, from: sampleLow, through: sampleHigh)
            return values[k]
        }

        /// Moves the values of `low...high` for which `left` holds to its front; returns how far they reach.
        @inline(__always)
        private func partition(_ low: Int, _ high: Int, _ left: (Double) -> Bool) -> Int {
            var store = low
            var index = low
            while index <= high {
                let value = values[index]
                let goesLeft = left(value)
                values[index] = values[store]
                values[store] = value
                store &+= goesLeft ? 1 : 0
                index &+= 1
            }
            return store
        }

        /// Hoare's selection, for a range the partitions above cannot split (its pivot is NaN).
        private func hoareSelect(_ k: Int, low: Int, high: Int) {
            var low = low
            var high = high
            while low < high {
                let (a, b, c) = (values[low], values[low + (high - low) / 2], values[high])
                let pivot = max(min(a, b), min(max(a, b), c))
                var i = low
                var j = high
                while i <= j {
                    while i <= high && values[i] < pivot { i += 1 }
                    while j >= low && values[j] > pivot { j -= 1 }
                    if i <= j {
                        values.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if k <= j {
                    high = j
                } else if k >= i {
                    low = i
                } else {
                    return
                }
            }
        }
    }
}
