import CSignalCleanup
import CWriteback
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a file so that a reader sees the old contents or the new, never half of either: a temporary file
/// in the same directory, fsync, rename over the target, fsync the directory.
///
/// A target that is a symbolic link is followed: the file it points to is replaced, the link stays. A
/// target that exists and is not a regular file — `/dev/null`, `/dev/stdout`, a named pipe — is written
/// to as it is: a rename would put a regular file in its place (as root, `--out /dev/null` replaced the
/// device). A directory is refused before anything is written.
///
/// The new file keeps the old one's permissions and, where the process may set them, its owner and group
/// (a file made private stays private). Ended by SIGINT, SIGTERM or SIGHUP half-way, the process removes
/// its temporary file (`CSignalCleanup`); the target is untouched.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { sink in try data.withUnsafeBytes { try sink($0) } }
    }

    /// Streams whatever `body` hands to its sink into the file (the bytes are copied or written during the
    /// call); the target is replaced only once `body` returns, and left untouched (the temporary file
    /// removed) when it throws.
    public static func write(to path: String, _ body: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        switch try Target(path) {
        case .file(let resolved): try replace(resolved, body)
        case .special: try DirectWriter.write(to: path, body)
        }
    }

    /// What `--out` names.
    enum Target: Equatable {
        /// A regular file, or nothing yet: replaced atomically (at this path, the link's target for a link).
        case file(String)
        /// A device, a pipe or a socket: written to as it is.
        case special

        init(_ path: String) throws {
            var link = stat()
            guard lstat(path, &link) == 0 else {
                // Nothing there (a new file), or an error the writer reports when it creates its file.
                self = .file(path)
                return
            }
            var resolved = path
            if link.st_mode & S_IFMT == S_IFLNK, let real = realpath(path, nil) {
                resolved = String(cString: real)
                free(real)
            }
            var info = stat()
            guard stat(resolved, &info) == 0 else {
                // A dangling link: the link itself is replaced, as a missing file is created.
                self = .file(path)
                return
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG: self = .file(resolved)
            case S_IFDIR: throw AtomicFileError(path: path, step: "open", errno: EISDIR)
            default: self = .special
            }
        }
    }

    private static func replace(_ path: String, _ body: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let writer = try Writer(path: path)
        do {
            try body(writer.write)
            try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
    }

    /// The temporary file being filled.
    final class Writer {
        let path: String
        let temporary: String
        private var fd: Int32
        /// The temporary file's registration for removal on a signal.
        private let cleanup: Int32

        init(path: String) throws {
            let target = URL(fileURLWithPath: path)
            self.path = path
            temporary = target.deletingLastPathComponent().path + "/." + target.lastPathComponent
                + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw AtomicFileError(path: path, step: "create \(temporary)", errno: errno) }
            cleanup = pw_cleanup_add(temporary)
            var existing = stat()
            if stat(path, &existing) == 0 {
                // Permission bits first: a file made private stays so. The owner and group only where this
                // process may give them (root, or a group it is in); otherwise the new file is its own.
                fchmod(fd, existing.st_mode & 0o7777)
                if fchown(fd, existing.st_uid, existing.st_gid) != 0 { _ = fchown(fd, getuid(), existing.st_gid) }
            }
        }

        private var pending = WriteBuffer()
        /// Bytes written since writeback was last started.
        private var unflushed = 0

        /// Buffered: the file sees writes of at least 64 KiB.
        func write(_ bytes: UnsafeRawBufferPointer) throws { try pending.write(bytes, to: writeOut) }

        private func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
            if let failure = writeAll(fd, bytes) { throw AtomicFileError(path: path, step: "write", errno: failure) }
            startWriteback(after: bytes.count)
        }

        /// Asks the kernel to start writing what has been written so far to the disk (without waiting for it),
        /// every 8 MiB: the disk then works while the rest is rendered, and the final fsync finds little left.
        /// Durability still rests on that fsync.
        private func startWriteback(after written: Int) {
            unflushed += written
            guard unflushed >= 8 << 20 else { return }
            unflushed = 0
            _ = pw_start_writeback(fd)
        }

        func commit() throws {
            try pending.flush(to: writeOut)
            guard fsync(fd) == 0 else { throw AtomicFileError(path: path, step: "fsync", errno: errno) }
            close(fd)
            fd = -1
            guard rename(temporary, path) == 0 else { throw AtomicFileError(path: path, step: "rename", errno: errno) }
            pw_cleanup_remove(cleanup)
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            let directoryFD = open(directory, O_RDONLY)
            if directoryFD >= 0 {
                fsync(directoryFD)
                close(directoryFD)
            }
        }

        func abort() {
            if fd >= 0 { close(fd) }
            fd = -1
            unlink(temporary)
            pw_cleanup_remove(cleanup)
        }
    }
}

/// Writes straight into a file that cannot be replaced (a device, a pipe), buffered as the atomic writer is.
enum DirectWriter {
    static func write(to path: String, _ body: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: path, step: "open", errno: errno) }
        defer { close(fd) }
        var pending = WriteBuffer()
        func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
            if let failure = writeAll(fd, bytes) { throw AtomicFileError(path: path, step: "write", errno: failure) }
        }
        try body { bytes in try pending.write(bytes, to: writeOut) }
        try pending.flush(to: writeOut)
    }
}

public struct AtomicFileError: Error, CustomStringConvertible {
    public let path: String
    public let step: String
    public let errno: Int32
    public var description: String { "could not write \(path) (\(step)): \(String(cString: strerror(errno)))" }
}
