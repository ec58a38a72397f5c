import Testing
@testable import HeadroomCore

@Suite("Deployment candidates")
struct DeploymentCandidatesTests {
    func candidate(_ index: Int, headroom: Double) -> DeploymentCandidate {
        DeploymentCandidate(index: index, weight: 1, inFlight: 0, maxConcurrency: nil, headroom: headroom)
    }

    @Test("A refilled list shows only what was appended since it was emptied")
    func refill() {
        var list: DeploymentCandidates = [candidate(0, headroom: 0.1), candidate(1, headroom: 0.2), candidate(2, headroom: 0.3)]
        list.removeAll()
        #expect(list.isEmpty)
        list.append(candidate(5, headroom: 0.9))
        #expect(list.map(\.index) == [5])
        list.append(candidate(6, headroom: 0.8))
        list.append(candidate(7, headroom: 0.7))
        list.append(candidate(8, headroom: 0.6))
        #expect(list.map(\.index) == [5, 6, 7, 8])
        #expect(list.count == 4 && list.indices == 0 ..< 4)
        #expect(list[3].headroom == 0.6)
    }

    @Test("A copy keeps its candidates when the original is refilled")
    func valueSemantics() {
        var list: DeploymentCandidates = [candidate(0, headroom: 0.1), candidate(1, headroom: 0.2)]
        let kept = list
        list.removeAll()
        list.append(candidate(9, headroom: 1))
        #expect(kept.map(\.index) == [0, 1])
        #expect(list.map(\.index) == [9])
    }
}
