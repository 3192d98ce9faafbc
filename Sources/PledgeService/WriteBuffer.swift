/// Gathers small writes into pieces of at least 64 KiB before they go out (a file or a pipe then sees a
/// system call per 64 KiB, not per line); a piece that large on its own goes out as it is, without a copy.
/// Where the pieces go is the caller's: `out`, at each call.
public struct WriteBuffer {
    private var buffer: [UInt8] = []
    static let piece = 1 << 16

    public init() {}

    /// Writes `bytes`, through the buffer or straight to `out`.
    public mutating func write(_ bytes: UnsafeRawBufferPointer, to out: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        if buffer.isEmpty, bytes.count >= Self.piece { return try out(bytes) }
        try write(contentsOf: bytes, to: out)
    }

    /// Writes `bytes` through the buffer.
    public mutating func write(contentsOf bytes: some Sequence<UInt8>, to out: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        if buffer.capacity == 0 { buffer.reserveCapacity(Self.piece + 1_024) }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.piece { try flush(to: out) }
    }

    /// Sends what is buffered to `out`.
    public mutating func flush(to out: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try out($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
