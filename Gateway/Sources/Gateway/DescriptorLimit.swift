#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open file descriptors, which every connection and
/// every upstream request spends one of: a server that runs out fails the next
/// request that needs one, whoever sent it.
enum DescriptorLimit {
    /// Descriptors kept for everything but connections: files, the listener, the event loops.
    static let reserve = 64

    /// How many client connections fit: raises the soft limit towards the hard
    /// one so that `wanted` connections, an upstream socket for each, and the
    /// reserve fit; returns `wanted`, or fewer if the hard limit does not allow it.
    static func connections(fitting wanted: Int) -> Int {
        var limits = rlimit()
        guard getrlimit(resourceNumber, &limits) == 0 else { return wanted }
        let needed = rlim_t(wanted) * 2 + rlim_t(reserve)
        if limits.rlim_cur < needed {
            var raised = limits
            raised.rlim_cur = min(needed, limits.rlim_max)
            if setrlimit(resourceNumber, &raised) == 0 { limits = raised }
        }
        guard limits.rlim_cur < needed else { return wanted }
        return max(1, (Int(clamping: limits.rlim_cur) - reserve) / 2)
    }

    #if canImport(Glibc)
    private static let resourceNumber = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNumber = RLIMIT_NOFILE
    #endif
}
