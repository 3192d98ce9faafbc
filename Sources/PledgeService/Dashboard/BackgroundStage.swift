import Foundation

/// Jobs done one at a time, in the order given, on a thread of their own while the caller goes on: the
/// export reads its next batch from the database while the previous one is built, encoded and written.
/// At most `depth` jobs wait (so memory stays a few batches); the first error stops the stage, and the
/// caller sees it at its next `submit` or when the stage ends.
final class BackgroundStage: @unchecked Sendable {
    // Everything below is guarded by `condition`; a job itself runs outside the lock.
    private let condition = NSCondition()
    private var jobs: [() throws -> Void] = []
    private var failure: (any Error)?
    private var closed = false
    private var drained = false
    private let depth: Int

    private init(depth: Int) { self.depth = depth }

    /// Runs `body` with a stage, then waits until every job it submitted is done (or one failed) and
    /// rethrows the first error, the body's own first. The thread never outlives this call.
    static func run<Result>(depth: Int = 2, _ body: (BackgroundStage) throws -> Result) throws -> Result {
        let stage = BackgroundStage(depth: depth)
        let thread = Thread { stage.drain() }
        thread.stackSize = 8 << 20
        thread.start()
        let result: Result
        do {
            result = try body(stage)
        } catch {
            try? stage.finish(discarding: true)
            throw error
        }
        try stage.finish(discarding: false)
        return result
    }

    /// Queues a job, waiting while `depth` jobs are queued already.
    func submit(_ job: @escaping () throws -> Void) throws {
        condition.lock()
        defer { condition.unlock() }
        while jobs.count >= depth && failure == nil { condition.wait() }
        if let failure { throw failure }
        jobs.append(job)
        condition.broadcast()
    }

    /// Lets the thread finish (dropping queued jobs when asked), waits for it, rethrows a job's error.
    private func finish(discarding discard: Bool) throws {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        if discard { jobs.removeAll() }
        condition.broadcast()
        while !drained { condition.wait() }
        if let failure { throw failure }
    }

    private func drain() {
        while true {
            condition.lock()
            while jobs.isEmpty && !closed { condition.wait() }
            guard !jobs.isEmpty, failure == nil else {
                drained = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.broadcast()
            condition.unlock()
            do {
                try job()
            } catch {
                condition.lock()
                failure = error
                jobs.removeAll()
                condition.broadcast()
                condition.unlock()
            }
        }
    }
}
