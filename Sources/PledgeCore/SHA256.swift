/// SHA-256 (FIPS 180-4): the digest PostgreSQL's `sha256()` computes, so an import can derive a row's
/// content key on the client, byte for byte as the database would.
public enum SHA256 {
    /// A 32-byte digest, held as four big-endian words.
    public struct Digest: Hashable, Sendable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
                && lhs.words.3 == rhs.words.3
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
            hasher.combine(words.2)
            hasher.combine(words.3)
        }

        /// The first 128 bits.
        public struct Prefix: Hashable, Sendable {
            let high: UInt64
            let low: UInt64
        }

        public var prefix: Prefix { Prefix(high: words.0, low: words.1) }

        /// Lower-case hexadecimal, as `encode(sha256(…), 'hex')` writes it.
        public var hex: String {
            let digits = Array("0123456789abcdef".utf8)
            return String(unsafeUninitializedCapacity: 64) { text in
                var index = 0
                for word in [words.0, words.1, words.2, words.3] {
                    for shift in stride(from: 60, through: 0, by: -4) {
                        text[index] = digits[Int((word >> UInt64(shift)) & 0xF)]
                        index += 1
                    }
                }
                return 64
            }
        }
    }

    /// The digest of `text`'s UTF-8 bytes.
    public static func hash(_ text: String) -> Digest {
        var text = text
        return text.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// The digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> Digest {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The digest of the bytes at `message`.
    public static func hash(_ message: UnsafeRawBufferPointer) -> Digest {
        var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
            0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
        )
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            let fullBlocks = message.count / 64
            for block in 0..<fullBlocks {
                compress(&state, UnsafeRawBufferPointer(rebasing: message[(block * 64)..<(block * 64 + 64)]), schedule)
            }
            // The tail: the remaining bytes, 0x80, zeros, and the length in bits, in one or two blocks.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
                tail.initialize(repeating: 0)
                let rest = message.count - fullBlocks * 64
                for index in 0..<rest { tail[index] = message[fullBlocks * 64 + index] }
                tail[rest] = 0x80
                let tailLength = rest + 9 <= 64 ? 64 : 128
                let bits = UInt64(message.count) &* 8
                for index in 0..<8 { tail[tailLength - 1 - index] = UInt8(truncatingIfNeeded: bits >> UInt64(index * 8)) }
                let raw = UnsafeRawBufferPointer(tail)
                compress(&state, UnsafeRawBufferPointer(rebasing: raw[0..<64]), schedule)
                if tailLength == 128 { compress(&state, UnsafeRawBufferPointer(rebasing: raw[64..<128]), schedule) }
            }
        }
        func join(_ high: UInt32, _ low: UInt32) -> UInt64 { UInt64(high) << 32 | UInt64(low) }
        return Digest(words: (join(state.0, state.1), join(state.2, state.3), join(state.4, state.5), join(state.6, state.7)))
    }

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always)
    private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { value >> count | value << (32 - count) }

    /// One 64-byte block into `state`.
    private static func compress(
        _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
        _ block: UnsafeRawBufferPointer, _ w: UnsafeMutableBufferPointer<UInt32>
    ) {
        for t in 0..<16 {
            let base = t * 4
            w[t] = UInt32(block[base]) << 24 | UInt32(block[base + 1]) << 16 | UInt32(block[base + 2]) << 8
                | UInt32(block[base + 3])
        }
        for t in 16..<64 {
            let s0 = rotate(w[t - 15], 7) ^ rotate(w[t - 15], 18) ^ (w[t - 15] >> 3)
            let s1 = rotate(w[t - 2], 17) ^ rotate(w[t - 2], 19) ^ (w[t - 2] >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, h) = state
        roundConstants.withUnsafeBufferPointer { k in
            for t in 0..<64 {
                let s1 = rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)
                let choice = (e & f) ^ (~e & g)
                let t1 = h &+ s1 &+ choice &+ k[t] &+ w[t]
                let s0 = rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ majority
                h = g
                g = f
                f = e
                e = d &+ t1
                d = c
                c = b
                b = a
                a = t1 &+ t2
            }
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
    }
}
