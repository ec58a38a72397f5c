/// What an allocation policy knows of a deployment that can take a job now.
public struct DeploymentCandidate: Hashable, Sendable {
    /// The deployment's position in ``Scheduler/deployments`` (the order the
    /// deployments were given in), stable for the scheduler's life: a policy
    /// that needs names or other settings looks them up there. (Candidates hold no strings, so that
    /// gathering them retains nothing.)
    public var index: Int
    /// The configured relative share.
    public var weight: Double
    /// Requests in flight now.
    public var inFlight: Int
    /// The configured concurrency cap, if any.
    public var maxConcurrency: Int?
    /// The share of the tightest limit left after this job's charge, in [0, 1].
    public var headroom: Double

    /// Creates a candidate; the scheduler does this, tests may too.
    public init(index: Int, weight: Double, inFlight: Int, maxConcurrency: Int?, headroom: Double) {
        self.index = index
        self.weight = weight
        self.inFlight = inFlight
        self.maxConcurrency = maxConcurrency
        self.headroom = headroom
    }
}

/// Decides which of the deployments that can take a job now gets it.
///
/// Implementers must guarantee:
/// - the choice is a function of the arguments and the policy's own state;
///   randomness comes only from `random`, so runs repeat for a given seed;
/// - the returned index is a valid index of `candidates` (never empty).
///
/// The scheduler calls `choose` serially; it must not block or lock.
///
/// A policy of your own that prefers one deployment by name finds its index
/// once, in ``Scheduler/deployments``:
///
/// ```swift
/// struct PreferEast: AllocationPolicy {
///     let east: Int // deployments.firstIndex { $0.id == "east" }
///
///     mutating func choose(for job: QueuedJob, among candidates: DeploymentCandidates, random: inout SeededRandom) -> Int {
///         candidates.firstIndex { $0.index == east } ?? 0
///     }
/// }
/// ```
public protocol AllocationPolicy: Sendable {
    /// Picks one of `candidates` for `job` and returns its index in `candidates`.
    mutating func choose(for job: QueuedJob, among candidates: DeploymentCandidates, random: inout SeededRandom) -> Int
}
