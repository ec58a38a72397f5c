/// Identical requests in flight at once go upstream once: the first to arrive
/// leads, the rest follow and are handed its answer.
///
/// A leader that fails releases its followers to go upstream on their own (a
/// failure is not an answer to share). A leader that is cancelled (its client
/// hung up) hands the lead to the follower that came first, which goes upstream in
/// its place while the others keep waiting.
actor Coalescer {
    /// What a request is to do.
    enum Role: Sendable, Equatable {
        /// Go upstream; call ``land(_:with:)`` or ``abandon(_:)`` when done.
        case lead
        /// The leader's answer.
        case answered(CacheEntry)
        /// The leader failed: go upstream alone.
        case alone
        /// The caller was cancelled while it waited.
        case cancelled
    }

    private var flights: [CacheKey: [(id: Int, waiter: CheckedContinuation<Role, Never>)]] = [:]
    private var nextID = 0

    /// The number of keys in flight, for tests and statistics.
    var count: Int { flights.count }

    /// Leads a request for `key` if none is in flight, else waits for the one that is.
    func join(_ key: CacheKey) async -> Role {
        let id = nextID
        nextID += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Role, Never>) in
                if Task.isCancelled {
                    waiter.resume(returning: .cancelled)
                } else if flights[key] == nil {
                    flights[key] = []
                    waiter.resume(returning: .lead)
                } else {
                    flights[key]?.append((id, waiter))
                }
            }
        } onCancel: {
            Task { await self.drop(id, from: key) }
        }
    }

    /// The leader for `key` has its answer (`nil`: it failed): every follower is told.
    func land(_ key: CacheKey, with entry: CacheEntry?) {
        for follower in flights.removeValue(forKey: key) ?? [] {
            follower.waiter.resume(returning: entry.map(Role.answered) ?? .alone)
        }
    }

    /// The leader for `key` gave up without an answer: the first follower leads instead.
    func abandon(_ key: CacheKey) {
        guard var followers = flights[key], !followers.isEmpty else {
            flights[key] = nil
            return
        }
        let next = followers.removeFirst()
        flights[key] = followers
        next.waiter.resume(returning: .lead)
    }

    /// A follower that was cancelled stops waiting.
    private func drop(_ id: Int, from key: CacheKey) {
        guard let position = flights[key]?.firstIndex(where: { $0.id == id }) else { return }
        flights[key]?.remove(at: position).waiter.resume(returning: .cancelled)
    }
}
