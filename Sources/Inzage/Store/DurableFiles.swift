import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The two steps that make a written file survive a crash: all of its bytes written, and the folder's entries
/// flushed after it is renamed into place. (XLSXWriter keeps its own write loop: it knows nothing of this module.)
enum DurableFiles {
    /// Writes all `count` bytes at `descriptor`'s position, going on after interrupted and short writes; returns the
    /// `errno` of the failure, or nil. A write that writes nothing would loop forever, so it counts as a full disk
    /// (`ENOSPC`).
    static func writeFully(_ descriptor: Int32, _ start: UnsafeRawPointer, count: Int) -> Int32? {
        var written = 0
        while written < count {
            let result = write(descriptor, start + written, count - written)
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return result < 0 ? errno : ENOSPC }
            written += result
        }
        return nil
    }

    /// Flushes a folder's entries to disk, so that a file renamed into it survives a power loss (a hint where the
    /// folder cannot be opened: the file itself was flushed).
    static func flushEntries(of folder: URL) {
        let descriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = close(descriptor)
    }
}
