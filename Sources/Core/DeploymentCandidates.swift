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
    /// Room for the candidates: the first ``count`` are the list, the rest are left over from
    /// earlier fills and overwritten by later ones (emptying the array at every job would cost a call).
    /// (Visible to inlined code: policies in other modules read candidates one by one.)
    @usableFromInline var slots: [DeploymentCandidate]
    /// The number of candidates.
    public private(set) var count: Int

    /// An empty list.
    public init() {
        self.init([])
    }

    /// An empty list with room for `capacity` candidates.
    init(capacity: Int) {
        self.init([])
        slots.reserveCapacity(capacity)
    }

    /// A list of the given candidates.
    public init(_ candidates: [DeploymentCandidate]) {
        slots = candidates
        count = candidates.count
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
        return slots[position]
    }

    /// Empties the list, keeping its room.
    mutating func removeAll() {
        count = 0
    }

    /// Adds a candidate at the end.
    mutating func append(_ candidate: DeploymentCandidate) {
        if count < slots.count { slots[count] = candidate } else { slots.append(candidate) }
        count += 1
    }
}
