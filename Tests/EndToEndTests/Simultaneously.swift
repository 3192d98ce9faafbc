// Starting several administrators' commands at the same moment.
import Foundation

/// Runs `body(0)`, …, `body(count - 1)` on threads of their own, released together once all are ready, and
/// returns their results in order when the last one ends.
///
/// Threads rather than a TaskGroup or `concurrentPerform`: both keep to about one thread per CPU, and every
/// body blocks on child processes, so on a two-CPU machine eight bodies would run two at a time.
func simultaneously<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let results = Slots<T>(count)
    let ready = DispatchGroup()
    let done = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    for index in 0..<count {
        ready.enter()
        done.enter()
        Thread {
            ready.leave()
            start.wait()
            results[index] = body(index)
            done.leave()
        }.start()
    }
    ready.wait()
    for _ in 0..<count { start.signal() }
    done.wait()
    return results.values
}

/// One slot per thread, written once each; read after every thread has finished.
private final class Slots<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(_ count: Int) { slots = Array(repeating: nil, count: count) }

    subscript(index: Int) -> T? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }

    /// Every slot; each was filled before `done` let the caller through.
    var values: [T] { lock.withLock { slots.compactMap { $0 } } }
}
