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
}
