import HeadroomCore

/// Takes the deployments in turn: each job goes to the first deployment after
/// the previous choice (in list order, wrapping around) that can take it now.
public struct RoundRobin: AllocationPolicy {
    private var next = 0

    /// Creates the policy, starting with the first deployment.
    public init() {}

    public mutating func choose(for job: QueuedJob, among candidates: DeploymentCandidates, random: inout SeededRandom) -> Int {
        let chosen = candidates.firstIndex { $0.index >= next } ?? 0
        next = candidates[chosen].index + 1
        return chosen
    }
}

extension AllocationPolicy where Self == RoundRobin {
    /// Deployments in turn.
    public static var roundRobin: RoundRobin { RoundRobin() }
}
