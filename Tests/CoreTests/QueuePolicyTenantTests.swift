@testable import HeadroomCore
import HeadroomPolicies
import Testing

/// A FIFO queue that remembers what it was shown: the jobs enqueued and what each served job used.
struct RecordingQueue: QueuePolicy {
    var fifo = FIFOQueue()
    var enqueued: [QueuedJob] = []
    var settled: [(tenant: TenantID, usage: Usage)] = []

    var count: Int { fifo.count }
    mutating func enqueue(_ job: QueuedJob) {
        enqueued.append(job)
        fifo.enqueue(job)
    }
    func job(at position: Int) -> QueuedJob? { fifo.job(at: position) }
    mutating func remove(at position: Int) -> QueuedJob { fifo.remove(at: position) }
    mutating func remove(_ id: JobID) -> QueuedJob? { fifo.remove(id) }
    mutating func settled(_ job: QueuedJob, usage: Usage) { settled.append((job.tenant, usage)) }
}

@Suite("Tenants and deadlines in queue policies")
struct QueuePolicyTenantTests {
    @Test("A policy sees each job's tenant (numbered as names first arrive) and deadline, and what each served job used")
    func tenantsDeadlinesAndUsage() throws {
        var scheduler = try Scheduler(deployments: [server("a", models: ["m"])], queue: RecordingQueue(), allocation: .maxHeadroom,
                                      configuration: .exact)
        var ids: [JobID] = []
        for (tenant, deadline) in [("blue", nil), ("red", at(30)), (nil, nil), ("blue", at(40))] as [(String?, Instant?)] {
            var next = job(deadline: deadline)
            next.tenant = tenant
            ids.append(scheduler.submit(next, now: at(0)).id)
        }
        #expect(scheduler.queue.enqueued.map(\.tenant) == [TenantID(rawValue: 1), TenantID(rawValue: 2), .none, TenantID(rawValue: 1)])
        #expect(scheduler.queue.enqueued.map(\.deadline) == [nil, at(30), nil, at(40)])
        #expect([1, 2, 3].map { scheduler.tenantName(TenantID(rawValue: $0)) } == ["blue", "red", nil])
        #expect(scheduler.tenantName(.none) == nil)
        _ = scheduler.complete(ids[1], outcome: .succeeded(Usage(promptTokens: 90, completionTokens: 7)), now: at(1))
        _ = scheduler.complete(ids[0], outcome: .throttled(retryAfter: nil), now: at(1))
        #expect(scheduler.queue.settled.map(\.tenant) == [TenantID(rawValue: 2)])
        #expect(scheduler.queue.settled.map(\.usage) == [Usage(promptTokens: 90, completionTokens: 7)])
    }
}
