import HeadroomCore
import HeadroomPolicies
import Testing

@Suite("Tenant limits")
struct TenantLimitsTests {
    private func tenantJob(_ tenant: String, prompt: Int = 100, output: Int = 100) -> Job {
        var next = job(prompt, output)
        next.tenant = tenant
        return next
    }

    private func limited(_ limits: [String: TenantLimits], queue: QueueKind = .fifo, wait: Duration? = nil) throws -> any SchedulerEvents {
        var configuration = SchedulerConfiguration.exact
        configuration.tenantLimits = limits
        configuration.maxQueueWait = wait
        return try makeScheduler([server("a", rpm: 10_000, tpm: 10_000_000)], queue: queue, configuration: configuration)
    }

    /// The instants at which `ids` were dispatched, in seconds, advancing one second at a time from 0 and completing each at once.
    private func dispatchTimes(_ scheduler: inout any SchedulerEvents, _ ids: [JobID], first actions: [SchedulerAction], until seconds: Int) -> [JobID: Double] {
        var times: [JobID: Double] = [:]
        var pending = actions
        var clock = 0.0
        while clock <= Double(seconds) {
            var next: [SchedulerAction] = []
            for action in pending {
                if case .dispatch(let id, _, _) = action, times[id] == nil {
                    times[id] = clock
                    next += scheduler.complete(id, outcome: ok, now: at(clock))
                }
            }
            if next.isEmpty {
                clock += 0.25
                pending = scheduler.tick(now: at(clock))
            } else {
                pending = next
            }
        }
        return times
    }

    @Test("A tenant over its requests a minute waits for its bucket, and other tenants' jobs go ahead of it", arguments: QueueKind.allCases)
    func requestLimitQueues(_ queue: QueueKind) throws {
        // 60 a minute: one a second once the bucket's minute is spent.
        var scheduler = try limited(["batch": TenantLimits(requestsPerMinute: 60)], queue: queue)
        var actions: [SchedulerAction] = []
        var batch: [JobID] = []
        for _ in 0 ..< 62 {
            let (id, more) = scheduler.submit(tenantJob("batch"), now: at(0))
            batch.append(id)
            actions += more
        }
        let (other, more) = scheduler.submit(tenantJob("ui"), now: at(0))
        actions += more
        let times = dispatchTimes(&scheduler, batch + [other], first: actions, until: 3)
        #expect(batch.prefix(60).allSatisfy { times[$0] == 0 })
        #expect(times[other] == 0)
        #expect(times[batch[60]] == 1 && times[batch[61]] == 2)
    }

    @Test("A tenant over its tokens a minute waits until its bucket holds the job's prompt and output limit")
    func tokenLimitQueues() throws {
        var scheduler = try limited(["batch": TenantLimits(tokensPerMinute: 600)])
        var actions: [SchedulerAction] = []
        var ids: [JobID] = []
        for _ in 0 ..< 4 {
            let (id, more) = scheduler.submit(tenantJob("batch", prompt: 100, output: 100), now: at(0))
            ids.append(id)
            actions += more
        }
        let times = dispatchTimes(&scheduler, ids, first: actions, until: 30)
        // 600 tokens: three jobs of 200 at once; the fourth when 200 have refilled, 20 s later.
        #expect(ids.map { times[$0] } == [0, 0, 0, 20])
    }

    @Test("A job larger than its tenant's whole bucket goes when the bucket is full, and a retry is not charged again")
    func largeJobsAndRetries() throws {
        var scheduler = try limited(["batch": TenantLimits(requestsPerMinute: 1, tokensPerMinute: 100)])
        let (big, first) = scheduler.submit(tenantJob("batch", prompt: 500, output: 500), now: at(0))
        #expect(first.contains(.dispatch(big, to: "a", attempt: 1)))
        // Throttled: the retry goes at once, though the bucket is spent.
        let retried = scheduler.complete(big, outcome: .throttled(retryAfter: .zero), now: at(1))
        #expect(retried.contains(.dispatch(big, to: "a", attempt: 2)))
    }

    @Test("A tenant's job waits no longer than the queue's bound")
    func waitBound() throws {
        var scheduler = try limited(["batch": TenantLimits(requestsPerMinute: 1)], wait: .seconds(5))
        _ = scheduler.submit(tenantJob("batch"), now: at(0))
        let (second, queued) = scheduler.submit(tenantJob("batch"), now: at(0))
        #expect(!queued.contains { if case .dispatch = $0 { true } else { false } })
        #expect(scheduler.tick(now: at(4.9)).isEmpty)
        let expired = scheduler.tick(now: at(5))
        #expect(failure(expired.first { if case .finish(second, _, _) = $0 { true } else { false } })?.kind == .queueWaitExceeded)
    }

    @Test("Limits out of range are refused, naming the tenant")
    func outOfRange() {
        var configuration = SchedulerConfiguration()
        configuration.tenantLimits = ["batch": TenantLimits(requestsPerMinute: 0)]
        #expect(throws: HeadroomError(.invalidConfiguration, "Tenant 'batch': requestsPerMinute is 0; it must be from 1 to 1,000,000,000,000, or left out.")) {
            try configuration.validate()
        }
    }
}
