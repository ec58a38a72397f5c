import HeadroomCore

/// Sends each job to the deployment with the largest share of its tightest
/// limit left after the job; ties go to the earlier deployment in the list.
/// Spreads load so that every deployment keeps a margin.
public struct MaxHeadroom: AllocationPolicy {
    /// Creates the policy.
    public init() {}

    public mutating func choose(for job: QueuedJob, among candidates: DeploymentCandidates, random: inout SeededRandom) -> Int {
        // Selects rather than branches: which candidate leads is a coin toss to the processor.
        var best = 0
        var most = candidates[0].headroom
        for i in candidates.indices.dropFirst() {
            let headroom = candidates[i].headroom
            let leads = headroom > most
            best = leads ? i : best
            most = leads ? headroom : most
        }
        return best
    }
}

extension AllocationPolicy where Self == MaxHeadroom {
    /// The deployment with the most headroom left.
    public static var maxHeadroom: MaxHeadroom { MaxHeadroom() }
}
