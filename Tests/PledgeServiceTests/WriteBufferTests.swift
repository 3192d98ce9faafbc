import Testing
import TestSupport

@testable import PledgeService

@Suite("write buffer")
struct WriteBufferTests {
    /// Pieces of every size, by pointer and by sequence: what comes out is what went in, in order, and every
    /// piece out but the last is at least 64 KiB; a large piece written while nothing is buffered goes out
    /// as it is (the same memory, not a copy).
    @Test("pieces of any size come out whole, in order, in writes of at least 64 KiB")
    func gathers() throws {
        for seed in 1...40 {
            var random = RandomValues(seed: UInt64(seed))
            var input: [UInt8] = []
            var output: [UInt8] = []
            var sizes: [Int] = []
            var buffer = WriteBuffer()
            for _ in 0..<(1 + random.below(30)) {
                let size = random.chance() ? random.below(200) : random.below(3 * WriteBuffer.piece)
                let piece = (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                input += piece
                if random.chance() {
                    try piece.withUnsafeBytes { bytes in
                        try buffer.write(bytes) { out in
                            output += out
                            sizes.append(out.count)
                        }
                    }
                } else {
                    buffer.write(contentsOf: piece) { output += $0; sizes.append($0.count) }
                }
            }
            buffer.flush { output += $0; sizes.append($0.count) }
            #expect(output == input, "seed \(seed)")
            #expect(sizes.dropLast().allSatisfy { $0 >= WriteBuffer.piece }, "seed \(seed): \(sizes)")
            #expect(!sizes.contains(0), "seed \(seed)")
        }
        // A large piece with nothing buffered is not copied.
        var buffer = WriteBuffer()
        let large = [UInt8](repeating: 7, count: WriteBuffer.piece)
        var same = false
        large.withUnsafeBytes { bytes in buffer.write(bytes) { same = $0.baseAddress == bytes.baseAddress } }
        #expect(same)
        // The same piece after a small one goes through the buffer, after it.
        var out: [UInt8] = []
        buffer.write(contentsOf: [1, 2, 3]) { out += $0 }
        large.withUnsafeBytes { bytes in buffer.write(bytes) { out += $0 } }
        buffer.flush { out += $0 }
        #expect(out == [1, 2, 3] + large)
    }
}
