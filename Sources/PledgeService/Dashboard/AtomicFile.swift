import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a file so that a reader sees the old contents or the new, never half of either: a temporary file
/// in the same directory, fsync, rename over the target, fsync the directory.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let target = URL(fileURLWithPath: path)
        let directory = target.deletingLastPathComponent().path
        let temporary = directory + "/." + target.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw AtomicFileError(path: path, step: "create \(temporary)", errno: errno) }
        var written = 0
        let ok: Bool = data.withUnsafeBytes { bytes in
            while written < bytes.count {
                let count = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += count
            }
            return true
        }
        guard ok, fsync(fd) == 0 else {
            let error = errno
            close(fd)
            unlink(temporary)
            throw AtomicFileError(path: path, step: "write", errno: error)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = errno
            unlink(temporary)
            throw AtomicFileError(path: path, step: "rename", errno: error)
        }
        let directoryFD = open(directory, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}

public struct AtomicFileError: Error, CustomStringConvertible {
    public let path: String
    public let step: String
    public let errno: Int32
    public var description: String { "could not write \(path) (\(step)): \(String(cString: strerror(errno)))" }
}
