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
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var status: Int32 = Z_OK
        stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.avail_in = uInt(input.count)
        repeat {
            chunk.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                status = deflate(&stream, Z_FINISH)
                output.append(buffer.baseAddress!, count: buffer.count - Int(stream.avail_out))
            }
        } while status == Z_OK
        return status == Z_STREAM_END ? output : nil
    }

    public static func decompress(_ input: Data) -> Data? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var status: Int32 = Z_OK
        input.withUnsafeBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output.append(buffer.baseAddress!, count: buffer.count - Int(stream.avail_out))
                }
            } while status == Z_OK
        }
        return status == Z_STREAM_END ? output : nil
    }
}
