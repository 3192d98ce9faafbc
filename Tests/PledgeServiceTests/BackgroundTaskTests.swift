import Foundation
import Testing

@testable import PledgeService

@Suite("background task")
struct BackgroundTaskTests {
    struct Failed: Error, Equatable { let code: Int }

    @Test("the work runs on another thread; value() returns its result, as often as asked")
    func value() throws {
        let caller = pthread_self()
        let task = BackgroundTask { (pthread_equal(pthread_self(), caller) == 0, (1...1_000).reduce(0, +)) }
        let (elsewhere, sum) = try task.value()
        #expect(elsewhere)
        #expect(sum == 500_500)
        #expect(try task.value().1 == 500_500, "a second call returns at once with the same result")
    }

    @Test("the work's error is rethrown by every call to value()")
    func error() {
        let task = BackgroundTask<Int> { throw Failed(code: 7) }
        #expect(throws: Failed(code: 7)) { try task.value() }
        #expect(throws: Failed(code: 7)) { try task.value() }
    }

    @Test("tasks started one after the other's value() run strictly in order")
    func order() throws {
        final class Log: @unchecked Sendable { var values: [Int] = [] }
        let log = Log()
        var previous: BackgroundTask<Void>?
        for value in 0..<200 {
            try previous?.value()
            previous = BackgroundTask { log.values.append(value) }
        }
        try previous?.value()
        #expect(log.values == Array(0..<200))
    }
}
