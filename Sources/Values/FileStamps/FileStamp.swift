#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's stamp: size, modification time (nanoseconds) and inode, one `stat` call. It
/// changes whenever the file is rewritten or replaced, so a sync need not re-read a file
/// whose stamp it has seen. (Its own module: in a module that also sees SwiftNIO's C shims,
/// `struct stat`'s members are attributed to those and cannot be used.)
public enum FileStamp {
    /// The stamp of the file at `path`, or `nil` when it cannot be read.
    public static func of(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = status.st_mtimespec
        #else
        let modified = status.st_mtim
        #endif
        return "\(status.st_size)-\(modified.tv_sec).\(modified.tv_nsec)-\(status.st_ino)"
    }

    /// The stamp to remember for a file just read or written: as ``of(_:)``, but marked as
    /// not to be trusted when the file changed in the last two seconds. A file's time comes
    /// from a coarse clock, so an edit in the same tick, of the same size, into a reused
    /// inode (an editor's save-by-rename) leaves the stamp as it was — git's "racily clean"
    /// files. A marked stamp never equals a later one, so the file is read again next time.
    public static func remembered(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, let stamp = of(path) else { return nil }
        #if canImport(Darwin)
        let modified = status.st_mtimespec.tv_sec
        #else
        let modified = status.st_mtim.tv_sec
        #endif
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return modified >= now.tv_sec - 2 ? stamp + "-racy" : stamp
    }
}
