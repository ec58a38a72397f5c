import HeadroomCore
@testable import HeadroomPolicies
import Testing

/// A job of `tenant` asking `prompt` and `output` tokens, submitted `sequence`-th.
private func job(_ tenant: UInt32, _ sequence: UInt64, prompt: Int = 100, output: Int = 50, weight: Double = 1, priority: Int = 0) -> QueuedJob {
    QueuedJob(id: JobID(rawValue: sequence), priority: priority, arrival: .zero, sequence: sequence, tokens: prompt + output,
              tenant: TenantID(rawValue: tenant), outputTokens: output, weight: weight)
}

/// The tenants of the jobs in dispatch order.
private func tenants(_ queue: FairQueue) -> [UInt32] {
    (0 ..< queue.count).compactMap { queue.job(at: $0)?.tenant.rawValue }
}

@Suite("Fair queue")
struct FairQueueTests {
    @Test("Tenants of equal weight alternate, whoever enqueued first")
    func equalWeightsAlternate() {
        var queue = FairQueue()
        for n in 1 ... 3 { queue.enqueue(job(1, UInt64(n))) }
        for n in 4 ... 6 { queue.enqueue(job(2, UInt64(n))) }
        #expect(tenants(queue) == [1, 2, 1, 2, 1, 2])
    }

    @Test("A tenant of weight 2 goes twice as often as one of weight 1")
    func weights() {
        var queue = FairQueue()
        for n in 1 ... 6 { queue.enqueue(job(1, UInt64(n), weight: 2)) }
        for n in 7 ... 9 { queue.enqueue(job(2, UInt64(n))) }
        #expect(tenants(queue) == [1, 2, 1, 1, 2, 1, 1, 2, 1])
    }

    @Test("A tenant that starts waiting is lifted to the least counter of those waiting: an idle spell banks nothing")
    func noBankedCredit() {
        var queue = FairQueue()
        for n in 1 ... 20 { queue.enqueue(job(1, UInt64(n))) }
        for _ in 0 ..< 10 { _ = queue.remove(at: 0) }
        // Tenant 1 was served ten jobs while tenant 2 was away; tenant 2 does not get ten in a row.
        for n in 21 ... 25 { queue.enqueue(job(2, UInt64(n))) }
        #expect(Array(tenants(queue).prefix(6)) == [1, 2, 1, 2, 1, 2])
        #expect(queue.counter(of: TenantID(rawValue: 2)) == queue.counter(of: TenantID(rawValue: 1)))
    }

    @Test("A job is charged its estimate at dispatch, corrected to what it used, and a retry is not charged again")
    func chargesAndCorrections() {
        var queue = FairQueue()
        queue.enqueue(job(1, 1, prompt: 100, output: 50))
        let dispatched = queue.remove(at: 0)
        // 100 + 2 × 50.
        #expect(queue.counter(of: TenantID(rawValue: 1)) == 200)
        queue.settled(dispatched, usage: Usage(promptTokens: 100, completionTokens: 10))
        #expect(queue.counter(of: TenantID(rawValue: 1)) == 120)
        var retried = job(1, 2)
        retried.attempts = 1
        queue.enqueue(retried)
        _ = queue.remove(at: 0)
        #expect(queue.counter(of: TenantID(rawValue: 1)) == 120)
    }

    @Test("Within a tenant, higher priority first, then first in first out")
    func priorityWithinTenant() {
        var queue = FairQueue()
        queue.enqueue(job(1, 1))
        queue.enqueue(job(1, 2, priority: 5))
        queue.enqueue(job(1, 3))
        #expect((0 ..< 3).compactMap { queue.job(at: $0)?.sequence } == [2, 1, 3])
        #expect(queue.remove(JobID(rawValue: 1))?.sequence == 1 && queue.count == 2)
    }

    @Test("The order past the kept prefix is the same merge")
    func pastThePrefix() {
        var queue = FairQueue()
        for n in 0 ..< 300 { queue.enqueue(job(UInt32(n % 3 + 1), UInt64(n + 1))) }
        #expect(queue.job(at: 299)?.sequence == 300 && queue.job(at: 255)?.tenant.rawValue == UInt32(255 % 3 + 1))
        #expect(queue.job(at: 300) == nil)
    }

    @Test("The prefix kept as jobs come, go, are cancelled and settle is always the lanes merged afresh", arguments: [1, 2, 3] as [UInt64])
    func keptPrefixMatchesMerge(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var queue = FairQueue()
        let weights: [UInt32: Double] = [1: 1, 2: 2, 3: 0.5, 4: 1]
        var sequence: UInt64 = 0
        var dispatched: [QueuedJob] = []
        for step in 0 ..< 4_000 {
            switch random.next() % 10 {
            case 0 ..< 5:
                sequence += 1
                let tenant = UInt32(random.next() % 4) + 1
                var next = job(tenant, sequence, prompt: Int(random.next() % 2_000) + 1, output: Int(random.next() % 1_000) + 1,
                               weight: weights[tenant]!, priority: random.next() % 20 == 0 ? 1 : 0)
                next.attempts = random.next() % 10 == 0 ? 1 : 0
                queue.enqueue(next)
            case 5 ..< 8 where queue.count > 0:
                dispatched.append(queue.remove(at: Int(random.next() % UInt64(min(queue.count, 40)))))
            case 8 where queue.count > 0:
                let victim = queue.job(at: Int(random.next() % UInt64(queue.count)))!
                #expect(queue.remove(victim.id)?.id == victim.id)
            default:
                guard !dispatched.isEmpty else { continue }
                let done = dispatched.remove(at: Int(random.next() % UInt64(dispatched.count)))
                queue.settled(done, usage: Usage(promptTokens: done.tokens - done.outputTokens,
                                                 completionTokens: Int(random.next() % UInt64(done.outputTokens + 1))))
            }
            let kept = queue.keptOrder.map(\.job.id)
            #expect(kept == queue.merged(upTo: kept.count).map(\.job.id), "step \(step)")
            #expect(kept.count == min(queue.count, FairQueue.orderedPrefix) || kept.count >= FairQueue.shortPrefix, "step \(step)")
        }
        #expect(sequence > 1_500)
    }

    @Test("Backlogged tenants' service never differs by more than twice the largest job's cost", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func boundedServiceDifference(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var queue = FairQueue()
        let weights: [UInt32: Double] = [1: 1, 2: 2, 3: 0.5]
        var served: [UInt32: Double] = [1: 0, 2: 0, 3: 0]
        var sequence: UInt64 = 0
        // The largest job: 2,000 prompt + 2 × 1,000 output, over the smallest weight.
        let bound = 2 * 4_000 / 0.5
        var worst = 0.0
        for _ in 0 ..< 5_000 {
            // Every tenant keeps a backlog.
            for tenant in weights.keys.sorted() where (0 ..< queue.count).filter({ queue.job(at: $0)?.tenant.rawValue == tenant }).count < 3 {
                sequence += 1
                queue.enqueue(job(tenant, sequence, prompt: Int(random.next() % 2_000) + 1, output: Int(random.next() % 1_000) + 1,
                                  weight: weights[tenant]!))
            }
            let dispatched = queue.remove(at: 0)
            let usage = Usage(promptTokens: dispatched.tokens - dispatched.outputTokens, completionTokens: Int(random.next() % UInt64(dispatched.outputTokens + 1)))
            queue.settled(dispatched, usage: usage)
            served[dispatched.tenant.rawValue]! += (Double(usage.promptTokens) + 2 * Double(usage.completionTokens)) / dispatched.weight
            worst = max(worst, served.values.max()! - served.values.min()!)
        }
        #expect(worst <= bound)
    }

    @Test("Through the scheduler, a tenant that is idle holds back nothing: the one waiting takes every token", arguments: [0.0, 0.1])
    func idleTenantBlocksNothing(reserve: Double) throws {
        var configuration = SchedulerConfiguration()
        configuration.tenantReserve = reserve
        let deployment = try Deployment(id: "a", provider: .openAICompatible, requestsPerMinute: 1_000, tokensPerMinute: 10_000)
        var scheduler = try Scheduler(deployments: [deployment], queue: .fair, allocation: .maxHeadroom, configuration: configuration)
        func submit(_ tenant: String, at seconds: Double) -> (JobID, [SchedulerAction]) {
            var job = Job(model: "m", promptTokens: 100, maxOutputTokens: 100)
            job.tenant = tenant
            return scheduler.submit(job, now: .seconds(seconds))
        }
        let (idle, _) = submit("idle", at: 0)
        _ = scheduler.complete(idle, outcome: .succeeded(Usage(promptTokens: 100, completionTokens: 100)), rateLimits: nil, now: .seconds(1))
        // A minute later the idle tenant has neither a job nor service in the minute: the other fills the window.
        var dispatched = 0
        for _ in 0 ..< 60 {
            dispatched += submit("busy", at: 61).1.filter { if case .dispatch = $0 { true } else { false } }.count
        }
        #expect(dispatched == 50)
    }
}
