/// Order statistics of projection samples, by selection rather than sorting.
enum Statistics {
    /// Linear-interpolated quantiles (between the order statistics around q·(n−1)) for ascending `qs`,
    /// found by selection (expected linear time) instead of a full sort. Reorders `values`.
    static func quantiles(of values: inout [Double], _ qs: [Double]) -> [Double] {
        guard !values.isEmpty else { return qs.map { _ in 0 } }
        let last = values.count - 1
        let positions = qs.map { $0 * Double(last) }
        var ranks: [Int] = []
        for position in positions {
            let lower = Int(position.rounded(.down))
            ranks.append(lower)
            ranks.append(min(lower + 1, last))
        }
        let unique = Array(Set(ranks)).sorted()
        let found = Dictionary(uniqueKeysWithValues: zip(unique, orderStatistics(of: &values, ranks: unique)))
        return positions.map { position in
            let lower = Int(position.rounded(.down))
            let low = found[lower]!
            let high = found[min(lower + 1, last)]!
            return low + (high - low) * (position - Double(lower))
        }
    }

    /// The values that would be at `ranks` (ascending, distinct) if `values` were sorted. Reorders `values`.
    static func orderStatistics(of values: inout [Double], ranks: [Int]) -> [Double] {
        var from = 0
        return ranks.map { rank in
            if rank == from && rank > 0 {
                // The rank right after one already selected (the upper neighbour of an interpolated
                // quantile): everything before `from` is no larger, so it is the least of the rest.
                moveMinimum(&values, to: from)
                from = rank + 1
            } else if rank >= from {
                select(&values, rank, from: from)
                from = rank + 1
            }
            return values[rank]
        }
    }

    /// Swaps the least of `values[position...]` into `position`.
    static func moveMinimum(_ values: inout [Double], to position: Int) {
        values.withUnsafeMutableBufferPointer { values in
            var least = position
            for index in position..<values.count where values[index] < values[least] { least = index }
            values.swapAt(position, least)
        }
    }

    /// Quickselect: afterwards `values[k]` holds the k-th smallest of `values[from...]`, with no larger
    /// value before it and no smaller one after it (within `from...`).
    ///
    /// Each pass splits the range at a median-of-three pivot into "less than the pivot" and the rest with a
    /// branchless Lomuto partition: a compare and a conditional increment per value, where Hoare's
    /// partition mispredicts a branch about every other value on random samples (four times slower on
    /// 2,000 to 4,000 of them). When nothing is less than the pivot — it is the range's least value, as when
    /// many samples are equal — a second pass moves the values equal to it to the front, so equal values
    /// cannot make a pass useless.
    static func select(_ values: inout [Double], _ k: Int, from: Int) {
        // On the buffer itself: an array's subscripts and swaps would check bounds and uniqueness each time.
        values.withUnsafeMutableBufferPointer { values in
            var low = from
            var high = values.count - 1
            while low < high {
                let (a, b, c) = (values[low], values[low + (high - low) / 2], values[high])
                let pivot = max(min(a, b), min(max(a, b), c))
                let less = partitionLess(values, low, high, than: pivot)
                if k < less {
                    high = less - 1
                } else if less > low {
                    low = less
                } else {
                    let equal = partitionNotGreater(values, low, high, than: pivot)
                    // Only a NaN pivot leaves nothing on either side; Hoare's partition copes with it.
                    guard equal > low else { return hoareSelect(values, k, low: low, high: high) }
                    if k < equal { return }
                    low = equal
                }
            }
        }
    }

    /// Moves the values of `low...high` that are less than `pivot` to its front; returns how far they reach.
    @inline(__always)
    private static func partitionLess(_ values: UnsafeMutableBufferPointer<Double>, _ low: Int, _ high: Int, than pivot: Double) -> Int {
        var store = low
        var index = low
        while index <= high {
            let value = values[index]
            let left = value < pivot
            values[index] = values[store]
            values[store] = value
            store &+= left ? 1 : 0
            index &+= 1
        }
        return store
    }

    /// As `partitionLess`, for the values not greater than `pivot`. Written out rather than sharing a
    /// comparison closure with it: passed as a closure, the comparison was not compiled branch-free.
    @inline(__always)
    private static func partitionNotGreater(
        _ values: UnsafeMutableBufferPointer<Double>, _ low: Int, _ high: Int, than pivot: Double
    ) -> Int {
        var store = low
        var index = low
        while index <= high {
            let value = values[index]
            let left = value <= pivot
            values[index] = values[store]
            values[store] = value
            store &+= left ? 1 : 0
            index &+= 1
        }
        return store
    }

    /// Hoare's selection, for a range the partitions above cannot split (its pivot is NaN).
    private static func hoareSelect(_ values: UnsafeMutableBufferPointer<Double>, _ k: Int, low: Int, high: Int) {
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
