import HeadroomCore
import HeadroomPolicies
import Testing

func candidate(_ index: Int, headroom: Double = 0.5, inFlight: Int = 0, cap: Int? = nil, weight: Double = 1) -> DeploymentCandidate {
    DeploymentCandidate(index: index, weight: weight, inFlight: inFlight,
                        maxConcurrency: cap, headroom: headroom)
}

@Suite("Allocation policies")
struct AllocationPolicyTests {
    var random = SeededRandom(seed: 1)
    let job = QueuedJob(id: JobID(rawValue: 0), priority: 0, arrival: .zero, sequence: 0, tokens: 10)

    @Test("Max headroom picks the most headroom, the earlier on ties")
    mutating func maxHeadroom() {
        var policy = MaxHeadroom()
        #expect(policy.choose(for: job, among: [candidate(0, headroom: 0.2), candidate(3, headroom: 0.7), candidate(5, headroom: 0.4)], random: &random) == 1)
        #expect(policy.choose(for: job, among: [candidate(0, headroom: 0.7), candidate(1, headroom: 0.7)], random: &random) == 0)
    }

    @Test("Round robin takes deployments in turn, skipping those that cannot take the job")
    mutating func roundRobin() {
        var policy = RoundRobin()
        let all: DeploymentCandidates = [candidate(0), candidate(1), candidate(2)]
        let picks = (0 ..< 4).map { _ in all[policy.choose(for: job, among: all, random: &random)].index }
        #expect(picks == [0, 1, 2, 0])
        let someFull: DeploymentCandidates = [candidate(0), candidate(2)]
        #expect(someFull[policy.choose(for: job, among: someFull, random: &random)].index == 2)
        #expect(policy.choose(for: job, among: [candidate(0), candidate(1)], random: &random) == 0)
    }

    @Test("Least loaded compares in-flight requests relative to each cap, then headroom")
    mutating func leastLoaded() {
        var policy = LeastLoaded()
        #expect(policy.choose(for: job, among: [candidate(0, inFlight: 3, cap: 4), candidate(1, inFlight: 5, cap: 10)], random: &random) == 1)
        #expect(policy.choose(for: job, among: [candidate(0, headroom: 0.1, inFlight: 2), candidate(1, headroom: 0.9, inFlight: 2)], random: &random) == 1)
        #expect(policy.choose(for: job, among: [candidate(0, inFlight: 1), candidate(1, inFlight: 0)], random: &random) == 1)
    }

    @Test("Weighted random follows the weights and repeats for a seed")
    mutating func weightedRandom() {
        var policy = WeightedRandom()
        let weighted: DeploymentCandidates = [candidate(0, weight: 1), candidate(1, weight: 3)]
        var counts = [0, 0]
        for _ in 0 ..< 10_000 { counts[policy.choose(for: job, among: weighted, random: &random)] += 1 }
        #expect((7_300 ... 7_700).contains(counts[1]), "\(counts)")
        var first = SeededRandom(seed: 9), second = SeededRandom(seed: 9)
        let a = (0 ..< 50).map { _ in policy.choose(for: job, among: weighted, random: &first) }
        let b = (0 ..< 50).map { _ in policy.choose(for: job, among: weighted, random: &second) }
        #expect(a == b)
    }
}
