/// Values by key, the least recently used dropped first whenever their sizes
/// together exceed a bound. Reading a value makes it the most recently used.
/// Every operation takes constant time (a dictionary and a list linked by
/// positions in one array).
///
/// ```swift
/// var lru = ByteBoundedLRU<String, [UInt8]>(maxBytes: 10)
/// lru.insert([1, 2, 3, 4, 5, 6], for: "a", bytes: 6)
/// lru.insert([7, 8, 9, 10, 11, 12], for: "b", bytes: 6)   // "a" goes: 12 bytes > 10
/// lru.value(for: "a") // nil
/// ```
///
/// Its code is inlinable, so that a module using it with its own types gets code
/// specialized for them (unspecialized, each call looks up the types' metadata).
public struct ByteBoundedLRU<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline
    struct Node: Sendable {
        @usableFromInline var key: Key
        @usableFromInline var value: Value
        @usableFromInline var bytes: Int
        @usableFromInline var newer = -1
        @usableFromInline var older = -1

        @inlinable
        init(key: Key, value: Value, bytes: Int) {
            self.key = key
            self.value = value
            self.bytes = bytes
        }
    }

    /// The most the values may hold together.
    public let maxBytes: Int
    /// What the values hold together now.
    @inlinable
    public var bytes: Int { held }
    @usableFromInline var held = 0
    @usableFromInline var positions: [Key: Int] = [:]
    @usableFromInline var nodes: [Node?] = []
    @usableFromInline var free: [Int] = []
    /// The most and least recently used, or -1.
    @usableFromInline var newest = -1
    @usableFromInline var oldest = -1

    /// An empty cache that holds at most `maxBytes`.
    @inlinable
    public init(maxBytes: Int) {
        self.maxBytes = max(0, maxBytes)
    }

    /// The number of values.
    @inlinable
    public var count: Int { positions.count }

    /// The value for `key`, made the most recently used.
    @inlinable
    public mutating func value(for key: Key) -> Value? {
        guard let position = positions[key] else { return nil }
        unlink(position)
        link(position)
        return nodes[position]?.value
    }

    /// Stores `value` for `key`, counted as `bytes`, as the most recently used; drops the least
    /// recently used until all fit. A value larger than the bound is not stored (and what it would
    /// replace is removed). Returns the keys dropped to make room.
    @inlinable @discardableResult
    public mutating func insert(_ value: Value, for key: Key, bytes size: Int) -> [Key] {
        remove(key)
        guard size >= 0, size <= maxBytes else { return [] }
        var dropped: [Key] = []
        while held + size > maxBytes, oldest >= 0, let key = nodes[oldest]?.key {
            remove(key)
            dropped.append(key)
        }
        let node = Node(key: key, value: value, bytes: size)
        let position: Int
        if let reused = free.popLast() {
            position = reused
            nodes[position] = node
        } else {
            position = nodes.count
            nodes.append(node)
        }
        positions[key] = position
        held += size
        link(position)
        return dropped
    }

    /// Removes the value for `key`, if any.
    @inlinable
    public mutating func remove(_ key: Key) {
        guard let position = positions.removeValue(forKey: key) else { return }
        unlink(position)
        held -= nodes[position]?.bytes ?? 0
        nodes[position] = nil
        free.append(position)
    }

    /// Makes `position` the newest.
    @inlinable
    mutating func link(_ position: Int) {
        nodes[position]?.older = newest
        nodes[position]?.newer = -1
        if newest >= 0 { nodes[newest]?.newer = position }
        newest = position
        if oldest < 0 { oldest = position }
    }

    @inlinable
    mutating func unlink(_ position: Int) {
        guard let node = nodes[position] else { return }
        if node.newer >= 0 { nodes[node.newer]?.older = node.older } else { newest = node.older }
        if node.older >= 0 { nodes[node.older]?.newer = node.newer } else { oldest = node.newer }
    }
}
