import CZlib
import Foundation

/// gzip (RFC 1952) through the system's zlib, for `Content-Encoding: gzip` responses.
public enum Gzip {
    public static func compress(_ input: Data, level: Int32 = 6) -> Data? {
        input.withUnsafeBytes { compress($0, level: level) }
    }

    /// The output grows a chunk at a time as zlib fills it: no buffer of the input's bound (zeroed, and as
    /// large as the input: 134 MB for a medium dashboard that compresses to a tenth of that).
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 6) -> Data? {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { deflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.avail_in = uInt(input.count)
        return drain(&stream) { deflate(&$0, Z_FINISH) }
    }

    public static func decompress(_ input: Data) -> Data? {
        var stream = z_stream()
        // windowBits 15 + 32: gzip or zlib, detected from the header.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        return input.withUnsafeBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            return drain(&stream) { inflate(&$0, Z_NO_FLUSH) }
        }
    }

    /// Runs `step` (deflate or inflate over the whole input) with fresh output space, a chunk at a time,
    /// while it makes progress; its output, or nil unless it reached the stream's end.
    private static func drain(_ stream: inout z_stream, _ step: (inout z_stream) -> Int32) -> Data? {
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var status: Int32 = Z_OK
        repeat {
            chunk.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                status = step(&stream)
                output.append(buffer.baseAddress!, count: buffer.count - Int(stream.avail_out))
            }
        } while status == Z_OK
        return status == Z_STREAM_END ? output : nil
    }
}
