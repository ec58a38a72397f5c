import HeadroomCore

/// Sends each job to the deployment with the largest share of its tightest
/// limit left after the job; ties go to the earlier deployment in the list.
/// Spreads load so that every deployment keeps a margin.
public struct MaxHeadroom: AllocationPolicy {
    /// Creates the policy.
    public init() {}

    public mutating func choose(for job: QueuedJob, among candidates: DeploymentCandidates, random: inout SeededRandom) -> Int {
        var best = 0
        for i in candidates.indices.dropFirst() where candidates[i].headroom > candidates[best].headroom {
            best = i
        }
        return best
    }
}

extension AllocationPolicy where Self == MaxHeadroom {
    /// The deployment with the most headroom left.
    public static var maxHeadroom: MaxHeadroom { MaxHeadroom() }
}
