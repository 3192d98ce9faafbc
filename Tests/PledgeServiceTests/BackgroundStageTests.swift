import Foundation
import Testing

@testable import PledgeService

@Suite("background stage")
struct BackgroundStageTests {
    struct Stop: Error, Equatable { let at: Int }

    /// Appended to only by the stage's thread; read after `run` returns.
    final class Log: @unchecked Sendable { var values: [Int] = [] }

    @Test("jobs run in the order submitted, all of them before run returns")
    func order() throws {
        let log = Log()
        let returned = try BackgroundStage.run(depth: 2) { stage in
            for value in 0..<1_000 { try stage.submit { log.values.append(value) } }
            return "body's result"
        }
        #expect(returned == "body's result")
        #expect(log.values == Array(0..<1_000))
    }

    @Test("a job's error reaches the caller; the jobs after it never run")
    func jobFails() throws {
        let log = Log()
        #expect(throws: Stop(at: 10)) {
            try BackgroundStage.run(depth: 1) { stage in
                for value in 0..<100 {
                    try stage.submit {
                        if value == 10 { throw Stop(at: 10) }
                        log.values.append(value)
                    }
                }
            }
        }
        #expect(log.values == Array(0..<10))
    }

    @Test("the body's own error wins, and what it queued is dropped")
    func bodyFails() throws {
        let log = Log()
        #expect(throws: Stop(at: -1)) {
            try BackgroundStage.run(depth: 4) { stage in
                try stage.submit { log.values.append(0) }
                throw Stop(at: -1)
            }
        }
        #expect(log.values.count <= 1)
    }
}
