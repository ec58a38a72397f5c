/// The deployments that can take a job now, in the scheduler's order, as an
/// allocation policy sees them: a random-access collection indexed from 0.
///
/// The scheduler refills one list in place for every job it places, so that
/// the dispatch pass allocates nothing; a policy reads it during `choose` and
/// should not keep it.
///
/// ```swift
/// let candidates: DeploymentCandidates = [
///     DeploymentCandidate(index: 0, weight: 1, inFlight: 2, maxConcurrency: nil, headroom: 0.4),
///     DeploymentCandidate(index: 2, weight: 1, inFlight: 0, maxConcurrency: nil, headroom: 0.7),
/// ]
/// candidates.max { $0.headroom < $1.headroom }?.index // 2
/// ```
public struct DeploymentCandidates: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable {
    /// Room for candidates, shared by copies of a list until it is refilled.
    /// Candidates hold no references, so the room needs no initializing or clearing.
    @usableFromInline
    final class Storage: @unchecked Sendable {
        @usableFromInline let base: UnsafeMutablePointer<DeploymentCandidate>
        let capacity: Int

        init(capacity: Int) {
            self.capacity = Swift.max(1, capacity)
            base = .allocate(capacity: self.capacity)
        }

        deinit { base.deallocate() }
    }

    /// Holds at least `count` candidates; slots past `count` are spare room.
    @usableFromInline var storage: Storage
    /// The number of candidates.
    public private(set) var count: Int

    /// An empty list.
    public init() {
        self.init(capacity: 1)
    }

    /// An empty list with room for `capacity` candidates.
    init(capacity: Int) {
        storage = Storage(capacity: capacity)
        count = 0
    }

    /// A list of the given candidates.
    public init(_ candidates: [DeploymentCandidate]) {
        self.init(capacity: candidates.count)
        for candidate in candidates { append(candidate) }
    }

    /// A list of the given candidates: `[DeploymentCandidate(...), ...]`.
    public init(arrayLiteral candidates: DeploymentCandidate...) {
        self.init(candidates)
    }

    /// Always 0.
    @inlinable public var startIndex: Int { 0 }
    /// The number of candidates.
    @inlinable public var endIndex: Int { count }

    /// The candidate at `position`, which must be below `count`.
    @inlinable public subscript(position: Int) -> DeploymentCandidate {
        precondition(position >= 0 && position < count, "DeploymentCandidates: index \(position) out of 0..<\(count)")
        return storage.base[position]
    }

    /// Empties the list, keeping its room unless a copy shares it.
    mutating func removeAll() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(capacity: storage.capacity) }
        count = 0
    }

    /// Adds a candidate at the end.
    ///
    /// No copy may share the room: the list was made or emptied with
    /// ``removeAll()`` since the last copy. (So the dispatch pass checks
    /// uniqueness once a job, not once a candidate.)
    mutating func append(_ candidate: DeploymentCandidate) {
        assert(isKnownUniquelyReferenced(&storage), "DeploymentCandidates: appending to room a copy shares")
        if count == storage.capacity {
            let larger = Storage(capacity: 2 * storage.capacity)
            larger.base.update(from: storage.base, count: count)
            storage = larger
        }
        storage.base[count] = candidate
        count += 1
    }
}
