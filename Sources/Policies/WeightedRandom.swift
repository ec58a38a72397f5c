import HeadroomCore

/// Picks among the deployments that can take the job at random, in
/// proportion to their configured ``Deployment/weight``, from the scheduler's
/// seeded generator (so runs repeat for a seed).
public struct WeightedRandom: AllocationPolicy {
    /// Creates the policy.
    public init() {}

    public mutating func choose(for job: QueuedJob, among candidates: DeploymentCandidates, random: inout SeededRandom) -> Int {
        var total = 0.0
        for candidate in candidates { total += candidate.weight }
        var target = random.nextUnit() * total
        for i in candidates.indices {
            target -= candidates[i].weight
            if target < 0 { return i }
        }
        return candidates.count - 1
    }
}

extension AllocationPolicy where Self == WeightedRandom {
    /// A weighted random choice.
    public static var weightedRandom: WeightedRandom { WeightedRandom() }
}
