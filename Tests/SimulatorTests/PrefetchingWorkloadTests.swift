import Foundation
import HeadroomCore
import Synchronization
import Testing
@testable import HeadroomSimulator

@Suite("Prefetching workloads")
struct PrefetchingWorkloadTests {
    /// Requests 1, 2, 3, ... (in prompt tokens, a second apart); throws instead of giving request `failAt`, if set.
    struct Counting: WorkloadSource {
        var count: Int
        var failAt: Int?
        var produced = 0

        mutating func next() throws(HeadroomError) -> SimulatedRequest? {
            if produced + 1 == failAt { throw HeadroomError(.invalidTrace, "row \(produced + 1) is bad") }
            guard produced < count else { return nil }
            produced += 1
            return SimulatedRequest(arrival: .seconds(Double(produced)), promptTokens: produced, maxTokens: 10, outputTokens: 5)
        }
    }

    /// A source that raises `flag` once its last copy is gone.
    struct Witnessed: WorkloadSource {
        final class Witness: Sendable {
            let flag: Flag
            init(_ flag: Flag) { self.flag = flag }
            deinit { flag.raised.store(true, ordering: .sequentiallyConsistent) }
        }

        final class Flag: Sendable {
            let raised = Atomic(false)
            var isRaised: Bool { raised.load(ordering: .sequentiallyConsistent) }
        }

        var inner: Counting
        let witness: Witness

        mutating func next() throws(HeadroomError) -> SimulatedRequest? { try inner.next() }
    }

    @Test("It gives the source's requests in order, across batches", arguments: [1, 7, 100, 4_096])
    func sameRequests(batchSize: Int) throws {
        var direct = SyntheticWorkload(count: 1_000, requestsPerSecond: 5, seed: 4)
        let expected = try readAll(&direct)
        var prefetched = PrefetchingWorkload(SyntheticWorkload(count: 1_000, requestsPerSecond: 5, seed: 4), batchSize: batchSize)
        #expect(try readAll(&prefetched) == expected)
        #expect(try prefetched.next() == nil)
    }

    @Test("An error from the source comes after the requests before it, and again on every later call")
    func error() throws {
        let prefetched = PrefetchingWorkload(Counting(count: 100, failAt: 11), batchSize: 4)
        for expected in 1 ... 10 { #expect(try prefetched.next()?.promptTokens == expected) }
        for _ in 0 ..< 2 {
            #expect(errorMessage { () throws(HeadroomError) in _ = try prefetched.next() } == "row 11 is bad")
        }
    }

    @Test("Releasing it before the end stops the reading thread, which lets go of the source")
    func releasedEarly() async throws {
        let flag = Witnessed.Flag()
        do {
            let prefetched = PrefetchingWorkload(Witnessed(inner: Counting(count: .max), witness: .init(flag)), batchSize: 16)
            #expect(try prefetched.next()?.promptTokens == 1)
        }
        for _ in 0 ..< 500 where !flag.isRaised {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(flag.isRaised)
    }
}
