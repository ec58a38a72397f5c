import Synchronization

/// Bytes that may be held at once, shared by every connection: the gateway takes
/// a request's share before reading its body and gives it back once read, so the
/// bodies being read never hold more memory than the configuration allows.
final class ByteBudget: Sendable {
    private let limit: Int
    private let held = Mutex(0)

    /// A budget of `limit` bytes.
    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `bytes` if they fit; returns whether they did.
    func take(_ bytes: Int) -> Bool {
        held.withLock { held in
            guard bytes <= limit - held else { return false }
            held += bytes
            return true
        }
    }

    /// Gives back bytes taken.
    func giveBack(_ bytes: Int) {
        held.withLock { $0 -= bytes }
    }
}
