import CSignalCleanup
import CWriteback
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a file so that a reader sees the old contents or the new, never half of either: a temporary file
/// in the directory of the file it replaces, fsync, rename over it, fsync the directory.
///
/// A symbolic link is followed when this process's user or root owns it: the file it points to is
/// replaced and the link stays. Someone else's link is replaced itself, never followed (a root cron job
/// writing into another user's directory must not be steered onto /etc/shadow); so is a dangling link.
/// `/dev/stdout`, `/dev/stderr` and `/dev/fd/N` (or a link to them) are the descriptors this process
/// inherited, written to as they are (appending where the shell opened them so). Anything else that is
/// not a regular file — `/dev/null`, a named pipe — is written to as it is: a rename would put a regular
/// file in its place (as root, `--out /dev/null` once replaced the device). A directory is refused before
/// anything is written.
///
/// The new file keeps the old one's permissions and, where the process may set them, its owner and group
/// (a file made private stays private: the temporary file is private until then). Ended by SIGINT, SIGTERM
/// or SIGHUP half-way, the process removes its temporary file (`CSignalCleanup`); the target is untouched.
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
        case .descriptor(let fd): try DirectWriter.write(to: fd, named: path, body)
        case .special(let resolved):
            let fd = open(resolved, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw AtomicFileError(path: path, step: "open", errno: errno) }
            defer { close(fd) }
            try DirectWriter.write(to: fd, named: path, body)
        }
    }

    /// What `--out` names, its trusted links followed.
    enum Target: Equatable {
        /// A regular file, or nothing yet: replaced atomically at this path.
        case file(String)
        /// A descriptor this process inherited (`/dev/stdout`, `/dev/fd/3`).
        case descriptor(Int32)
        /// A device, a pipe or a socket, at this path: written to as it is.
        case special(String)

        init(_ path: String) throws {
            var current = path
            for _ in 0..<40 {
                if let fd = Self.inherited(current) {
                    self = .descriptor(fd)
                    return
                }
                var info = stat()
                guard lstat(current, &info) == 0 else {
                    // Nothing there: a new file (or an error the writer reports when it creates its file).
                    self = .file(current)
                    return
                }
                if info.st_mode & S_IFMT == S_IFLNK {
                    // Only this user's or root's links are followed; the link itself is replaced otherwise,
                    // and when it leads nowhere.
                    guard info.st_uid == geteuid() || info.st_uid == 0, let next = Self.follow(current) else {
                        self = .file(current)
                        return
                    }
                    var target = stat()
                    guard Self.inherited(next) != nil || lstat(next, &target) == 0 else {
                        self = .file(current)
                        return
                    }
                    current = next
                    continue
                }
                switch info.st_mode & S_IFMT {
                case S_IFREG: self = .file(current)
                case S_IFDIR: throw AtomicFileError(path: path, step: "open", errno: EISDIR)
                default: self = .special(current)
                }
                return
            }
            throw AtomicFileError(path: path, step: "open", errno: ELOOP)
        }

        /// Where a link points, as a path from here.
        private static func follow(_ link: String) -> String? {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(link, &buffer, buffer.count - 1)
            guard count > 0 else { return nil }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return target.hasPrefix("/") ? target : URL(fileURLWithPath: link).deletingLastPathComponent().path + "/" + target
        }

        /// The descriptor a path names in this process, if it names one.
        static func inherited(_ path: String) -> Int32? {
            switch path {
            case "/dev/stdout": return 1
            case "/dev/stderr": return 2
            default:
                for prefix in ["/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", "/proc/\(getpid())/fd/"] where path.hasPrefix(prefix) {
                    return Int32(path.dropFirst(prefix.count))
                }
                return nil
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
            var existing = stat()
            let replacing = stat(path, &existing) == 0
            // Registered before it exists, so a signal at any moment after finds it.
            cleanup = pw_cleanup_add(temporary)
            // Private until it has the old file's owner and mode: nobody can open it in between.
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, replacing ? 0o600 : 0o644)
            guard fd >= 0 else {
                let failure = errno
                pw_cleanup_remove(cleanup)
                throw AtomicFileError(path: path, step: "create \(temporary)", errno: failure)
            }
            guard replacing else { return }
            // The owner and group where this process may give them (root; a group it is in), before the
            // mode, which a change of owner could clear bits of.
            if fchown(fd, existing.st_uid, existing.st_gid) != 0 { _ = fchown(fd, uid_t.max, existing.st_gid) }
            guard fchmod(fd, existing.st_mode & 0o7777) == 0 else {
                let failure = errno
                abort()
                throw AtomicFileError(path: path, step: "chmod \(temporary)", errno: failure)
            }
        }

        private var pending = WriteBuffer()
        /// Bytes written since writeback was last started.
        private var unflushed = 0

        /// Buffered: the file sees writes of at least 64 KiB.
        func write(_ bytes: UnsafeRawBufferPointer) throws { try pending.write(bytes, to: writeOut) }

        private func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
            try DirectWriter.writeAll(fd, bytes, named: path)
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

/// Writes straight into what cannot be replaced (a descriptor, a device, a pipe), buffered as the atomic
/// writer is.
enum DirectWriter {
    static func write(to fd: Int32, named path: String, _ body: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        var pending = WriteBuffer()
        func writeOut(_ bytes: UnsafeRawBufferPointer) throws { try writeAll(fd, bytes, named: path) }
        try body { bytes in try pending.write(bytes, to: writeOut) }
        try pending.flush(to: writeOut)
    }

    /// All of `bytes` to `fd` (the file at `path`), or the error naming the file.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, named path: String) throws {
        if let failure = PledgeService.writeAll(fd, bytes) { throw AtomicFileError(path: path, step: "write", errno: failure) }
    }
}

public struct AtomicFileError: Error, CustomStringConvertible {
    public let path: String
    public let step: String
    public let errno: Int32
    public var description: String { "could not write \(path) (\(step)): \(String(cString: strerror(errno)))" }
}
