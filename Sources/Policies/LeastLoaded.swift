import HeadroomCore

/// Sends each job to the deployment with the fewest requests in flight,
/// relative to its concurrency cap where it has one; ties go to the one with
/// more headroom, then to the earlier in the list. Suits deployments whose
/// latency grows with load.
public struct LeastLoaded: AllocationPolicy {
    /// Creates the policy.
    public init() {}

    public mutating func choose(for job: QueuedJob, among candidates: DeploymentCandidates, random: inout SeededRandom) -> Int {
        func load(_ candidate: DeploymentCandidate) -> Double {
            Double(candidate.inFlight) / Double(candidate.maxConcurrency ?? 1)
        }
        var best = 0
        for i in candidates.indices.dropFirst() {
            let (l, b) = (load(candidates[i]), load(candidates[best]))
            if l < b || (l == b && candidates[i].headroom > candidates[best].headroom) { best = i }
        }
        return best
    }
}

extension AllocationPolicy where Self == LeastLoaded {
    /// The deployment with the fewest requests in flight.
    public static var leastLoaded: LeastLoaded { LeastLoaded() }
}
