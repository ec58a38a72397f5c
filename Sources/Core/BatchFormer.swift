/// Batch files being filled, one per deployment and endpoint, and when each must go.
///
/// A file goes when it holds ``BatchRules/maxRequests`` requests, when the next request would
/// take it past ``BatchRules/maxBytes``, or ``BatchRules/maxAge`` after its first request, which
/// a driver learns from ``nextDue`` and acts on with ``due(at:)``. The age counts from the first
/// request, never the last, so a steady trickle cannot hold a file back.
///
/// ```swift
/// var former = BatchFormer<JobID>()
/// let full = former.add(id, bytes: line.count, to: key, rules: rules, now: now) // files to send now
/// let old = former.due(at: now)                                                  // at former.nextDue
/// ```
public struct BatchFormer<Item: Sendable>: Sendable {
    /// Which file a request goes in: one deployment, one endpoint.
    public struct Key: Hashable, Sendable {
        /// The batch deployment.
        public var deployment: DeploymentID
        /// The endpoint every line of the file names (`/v1/chat/completions`, `/v1/embeddings`).
        public var endpoint: String

        /// Creates a key.
        public init(deployment: DeploymentID, endpoint: String) {
            self.deployment = deployment
            self.endpoint = endpoint
        }
    }

    /// A file ready to go: its key and its requests, in the order they came.
    public struct File: Sendable {
        /// Where it goes.
        public var key: Key
        /// Its requests, in arrival order.
        public var items: [Item]
        /// Their bytes together.
        public var bytes: Int
        /// When its first request came.
        public var openedAt: Instant
    }

    private struct Forming: Sendable {
        var items: [Item] = []
        var bytes = 0
        var openedAt: Instant
        var dueAt: Instant
    }

    private var forming: [Key: Forming] = [:]
    /// The order keys were opened, so that files due together go in a fixed order.
    private var order: [Key] = []

    /// No file forming.
    public init() {}

    /// The requests in files not yet sent.
    public var count: Int { forming.values.reduce(0) { $0 + $1.items.count } }

    /// When the oldest forming file must go, if any is forming.
    public var nextDue: Instant? { forming.values.map(\.dueAt).min() }

    /// Adds a request of `bytes` to the file for `key`, and returns the files that must go now:
    /// the one it would have overfilled (it then opens a new one), and the one it filled.
    public mutating func add(_ item: Item, bytes: Int, to key: Key, rules: BatchRules, now: Instant) -> [File] {
        var ready: [File] = []
        if let current = forming[key], !current.items.isEmpty, current.bytes.addingSaturating(bytes) > rules.maxBytes {
            ready.append(take(key)!)
        }
        if forming[key] == nil {
            forming[key] = Forming(openedAt: now, dueAt: now + rules.maxAge)
            order.append(key)
        }
        forming[key]!.items.append(item)
        forming[key]!.bytes = forming[key]!.bytes.addingSaturating(bytes)
        if forming[key]!.items.count >= rules.maxRequests || forming[key]!.bytes >= rules.maxBytes || rules.maxAge == .zero {
            ready.append(take(key)!)
        }
        return ready
    }

    /// The files whose age is up at `now`, oldest first.
    public mutating func due(at now: Instant) -> [File] {
        order.filter { forming[$0]!.dueAt <= now }.compactMap { take($0) }
    }

    /// Takes `item` out of the file it waits in (its caller went away before the file was sent);
    /// returns whether it was there. An emptied file is dropped.
    public mutating func remove(where matches: (Item) -> Bool, bytes: (Item) -> Int) -> Bool {
        for key in order {
            guard let index = forming[key]!.items.firstIndex(where: matches) else { continue }
            let item = forming[key]!.items.remove(at: index)
            forming[key]!.bytes -= bytes(item)
            if forming[key]!.items.isEmpty { _ = take(key) }
            return true
        }
        return false
    }

    /// Every forming file, now, whatever its size or age (the driver is shutting down).
    public mutating func flushAll() -> [File] {
        order.compactMap { take($0) }
    }

    private mutating func take(_ key: Key) -> File? {
        guard let file = forming.removeValue(forKey: key) else { return nil }
        order.removeAll { $0 == key }
        return File(key: key, items: file.items, bytes: file.bytes, openedAt: file.openedAt)
    }
}
