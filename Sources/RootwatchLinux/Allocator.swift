import Glibc

/// Tuning of glibc's allocator for a long-running daemon with a large, bursty state.
///
/// `mallopt` and `malloc_trim` live in `<malloc.h>`, which Swift's Glibc module does not import, so
/// they are looked up once with `dlsym`; on a C library without them (musl) both calls do nothing.
package enum Allocator {
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private typealias MallocTrim = @convention(c) (Int) -> Int32

    /// `M_ARENA_MAX` from `<malloc.h>`.
    private static let arenaMaxOption: Int32 = -8

    private static let mallopt: Mallopt? = symbol("mallopt")
    private static let mallocTrim: MallocTrim? = symbol("malloc_trim")

    /// Caps the number of malloc arenas. glibc gives each allocating thread an arena of its own, up to
    /// eight per core; freed memory then stays stranded in arenas other threads never reuse. Call
    /// before other threads start.
    package static func limitArenas(to count: Int32) {
        _ = mallopt?(arenaMaxOption, count)
    }

    /// Returns freed heap pages to the kernel, e.g. after a large transient allocation.
    package static func releaseFreeMemory() {
        _ = mallocTrim?(0)
    }

    private static func symbol<T>(_ name: String) -> T? {
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }
}
