#if canImport(Glibc)
    import Glibc
#endif

/// Standard output or standard error, written with write(2) (every byte, or an error). Foundation's
/// `FileHandle.write(_:)` traps instead: `pledgewatch export > dashboard.json` on a full disk ended in
/// "Fatal error" and a stack trace (status 132) rather than a message and an exit code.
public enum StandardStream: Sendable {
    case output, error

    /// Why a write failed: the stream and the system's reason.
    public struct WriteError: Error, Equatable, CustomStringConvertible {
        public let stream: StandardStream
        public let errno: Int32

        public var description: String {
            "cannot write to standard \(stream == .output ? "output" : "error"): \(String(cString: strerror(errno)))"
        }
    }

    /// Writes all of `bytes`, or throws.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(WriteError) {
        if let failure = writeAll(descriptor, bytes) { throw WriteError(stream: self, errno: failure) }
    }

    /// Writes the UTF-8 bytes of `text`, or throws.
    public func write(_ text: String) throws(WriteError) {
        var text = text
        if let failure = text.withUTF8({ writeAll(descriptor, UnsafeRawBufferPointer($0)) }) {
            throw WriteError(stream: self, errno: failure)
        }
    }

    private var descriptor: Int32 { self == .output ? STDOUT_FILENO : STDERR_FILENO }
}
