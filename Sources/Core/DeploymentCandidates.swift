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
    /// The candidates; refilled in place, its room kept, for each job placed.
    private var candidates: [DeploymentCandidate]

    /// An empty list.
    public init() {
        candidates = []
    }

    /// An empty list with room for `capacity` candidates.
    init(capacity: Int) {
        candidates = []
        candidates.reserveCapacity(capacity)
    }

    /// A list of the given candidates.
    public init(_ candidates: [DeploymentCandidate]) {
        self.candidates = candidates
    }

    /// A list of the given candidates: `[DeploymentCandidate(...), ...]`.
    public init(arrayLiteral candidates: DeploymentCandidate...) {
        self.init(candidates)
    }

    /// Always 0.
    public var startIndex: Int { 0 }
    /// The number of candidates.
    public var endIndex: Int { candidates.count }

    /// The candidate at `position`, which must be below `count`.
    public subscript(position: Int) -> DeploymentCandidate {
        candidates[position]
    }

    /// Empties the list, keeping its room.
    mutating func removeAll() {
        candidates.removeAll(keepingCapacity: true)
    }

    /// Adds a candidate at the end.
    mutating func append(_ candidate: DeploymentCandidate) {
        candidates.append(candidate)
    }
}
