import HeadroomCore
import Testing

/// Batch deployments: who may use them, their enqueued-token cap, and what happens when a batch does not serve a job.
@Suite("Batch deployments")
struct BatchDeploymentTests {
    /// A batch endpoint: no per-minute limit to speak of, `cap` tokens enqueued at once, charged the prompt.
    func batchEndpoint(_ id: DeploymentID, cap: Int = 1_000, models: Set<String> = []) throws -> Deployment {
        try Deployment(id: id, provider: .openAI, models: models, requestsPerMinute: Deployment.largestQuota,
                       tokensPerMinute: Deployment.largestQuota, charge: .promptOnly, kind: .batch, maxEnqueuedTokens: cap)
    }

    func deferrable(_ prompt: Int = 100, model: String = "m") -> Job {
        Job(model: model, promptTokens: prompt, maxOutputTokens: 100, acceptsBatch: true)
    }

    @Test("Only a job that accepts batch goes to a batch deployment", arguments: QueueKind.allCases, AllocationKind.allCases)
    func batchTakesOnlyDeferrableJobs(queue: QueueKind, allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([try batchEndpoint("batch"), try server("sync")], queue: queue, allocation: allocation)
        let (urgent, first) = scheduler.submit(job(), now: at(0))
        #expect(first == [.dispatch(urgent, to: "sync", attempt: 1)])
        let (late, second) = scheduler.submit(deferrable(), now: at(0))
        #expect(second == [.dispatch(late, to: "batch", attempt: 1)])
    }

    @Test("A job that accepts batch goes synchronous when no batch deployment serves its model")
    func deferrableWithoutBatchGoesSynchronous() throws {
        var scheduler = try makeScheduler([try batchEndpoint("batch", models: ["a"]), try server("sync")])
        let (id, actions) = scheduler.submit(deferrable(model: "b"), now: at(0))
        #expect(actions == [.dispatch(id, to: "sync", attempt: 1)])
    }

    @Test("Jobs past the enqueued-token cap wait for a completion to free tokens")
    func enqueuedCapHoldsJobs() throws {
        var scheduler = try makeScheduler([try batchEndpoint("batch", cap: 1_000)])
        let first = scheduler.submit(deferrable(600), now: at(0)).id
        let second = scheduler.submit(deferrable(300), now: at(0)).id
        let (third, waiting) = scheduler.submit(deferrable(200), now: at(1))
        #expect(waiting == [])
        #expect(scheduler.snapshot(now: at(1)).deployments[0].enqueuedTokens == 900)
        #expect(scheduler.complete(first, outcome: ok, now: at(3600)) == [
            served(first, by: "batch", okUsage), .dispatch(third, to: "batch", attempt: 1),
        ])
        #expect(scheduler.snapshot(now: at(3600)).deployments[0].enqueuedTokens == 500)
        _ = scheduler.complete(second, outcome: ok, now: at(3601))
        _ = scheduler.complete(third, outcome: ok, now: at(3602))
        #expect(scheduler.snapshot(now: at(3602)).deployments[0].enqueuedTokens == 0)
    }

    @Test("A cancelled job gives back the tokens it held enqueued")
    func cancelFreesEnqueuedTokens() throws {
        var scheduler = try makeScheduler([try batchEndpoint("batch", cap: 500)])
        let first = scheduler.submit(deferrable(400), now: at(0)).id
        let second = scheduler.submit(deferrable(400), now: at(0)).id
        #expect(scheduler.cancel(first, now: at(1)) == [.finish(first, .cancelled, JobAccount(deployment: "batch", attempts: 1)), .dispatch(second, to: "batch", attempt: 1)])
    }

    @Test("A job larger than the enqueued-token cap is refused, and the reason names the cap")
    func jobOverCapIsUnservable() throws {
        var scheduler = try makeScheduler([try batchEndpoint("batch", cap: 1_000)])
        let (_, actions) = scheduler.submit(deferrable(1_001), now: at(0))
        let error = try #require(failure(actions.first))
        #expect(error.kind == .unservable)
        #expect(error.message.contains("'batch' allows 1000 tokens enqueued at once but charges the job 1001"))
    }

    @Test("A job its batch did not serve is sent again at once to a synchronous deployment")
    func unfinishedJobGoesSynchronous() throws {
        var scheduler = try makeScheduler([try batchEndpoint("batch"), try server("sync")])
        let id = scheduler.submit(deferrable(), now: at(0)).id
        #expect(scheduler.complete(id, outcome: .batchUnfinished(message: "expired"), now: at(86_400)) == [.dispatch(id, to: "sync", attempt: 2)])
        #expect(scheduler.snapshot(now: at(86_400)).counters.resentFromBatch == 1)
        #expect(scheduler.snapshot(now: at(86_400)).deployments[0].enqueuedTokens == 0)
        #expect(scheduler.complete(id, outcome: ok, now: at(86_401)) == [served(id, by: "sync", attempts: 2, okUsage)])
    }

    @Test("Sent again after hours in a batch, a job's queue wait counts from then")
    func resentJobWaitsAfresh() throws {
        var configuration = SchedulerConfiguration.exact
        configuration.maxQueueWait = .seconds(60)
        var scheduler = try makeScheduler([try batchEndpoint("batch"), try server("sync", rpm: 1)], configuration: configuration)
        let id = scheduler.submit(deferrable(), now: at(0)).id
        // The synchronous deployment's one request a minute is spent: the resent job waits, and is served within its wait.
        _ = scheduler.submit(job(), now: at(86_000))
        #expect(scheduler.complete(id, outcome: .batchUnfinished(message: "expired"), now: at(86_010)) == [])
        #expect(scheduler.snapshot(now: at(86_010)).queued == 1)
        #expect(scheduler.tick(now: at(86_060)) == [.dispatch(id, to: "sync", attempt: 2)])
    }

    @Test("A job its batch did not serve fails clearly when no synchronous deployment serves it")
    func unfinishedJobWithoutSynchronousFails() throws {
        var scheduler = try makeScheduler([try batchEndpoint("batch", models: ["a"]), try server("sync", models: ["b"])])
        let id = scheduler.submit(deferrable(model: "a"), now: at(0)).id
        let actions = scheduler.complete(id, outcome: .batchUnfinished(message: "the batch failed"), now: at(10))
        let error = try #require(failure(actions.first))
        #expect(error.kind == .unservable)
        #expect(error.message.contains("the batch failed; no synchronous deployment can serve it"))
    }

    @Test("Random traffic never holds more than the cap enqueued, and every job ends once", arguments: [1, 2, 3])
    func capHoldsUnderRandomTraffic(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var scheduler = try makeScheduler([try batchEndpoint("b1", cap: 5_000), try batchEndpoint("b2", cap: 3_000), try server("sync")])
        var inFlight: [JobID] = []
        var ended = Set<JobID>()
        var submitted = 0
        func take(_ actions: [SchedulerAction]) {
            for action in actions {
                switch action {
                case .dispatch(let id, _, _): inFlight.append(id)
                case .finish(let id, _, _): #expect(ended.insert(id).inserted)
                default: break
                }
            }
        }
        for step in 0 ..< 2_000 {
            let now = at(Double(step))
            if random.next() % 3 != 0 || inFlight.isEmpty {
                let prompt = Int(random.next() % 2_500) + 1
                take(scheduler.submit(Job(model: "m", promptTokens: prompt, maxOutputTokens: 10, acceptsBatch: random.next() % 4 != 0), now: now).actions)
                submitted += 1
            } else {
                let id = inFlight.remove(at: Int(random.next() % UInt64(inFlight.count)))
                let outcome: AttemptOutcome = random.next() % 5 == 0 ? .batchUnfinished(message: "expired") : ok
                take(scheduler.complete(id, outcome: outcome, now: now))
            }
            let snapshot = scheduler.snapshot(now: now)
            #expect(snapshot.deployments[0].enqueuedTokens <= 5_000)
            #expect(snapshot.deployments[1].enqueuedTokens <= 3_000)
        }
        while let id = inFlight.popLast() { take(scheduler.complete(id, outcome: ok, now: at(3_000))) }
        #expect(ended.count == submitted)
    }
}

/// Tokens a batch deployment holds for batches this scheduler did not dispatch.
@Suite("Tokens enqueued elsewhere")
struct EnqueuedElsewhereTests {
    @Test("Tokens enqueued elsewhere hold jobs back under the cap until they are set to 0")
    func holdsUntilReleased() throws {
        let batch = try Deployment(id: "batch", provider: .openAI, requestsPerMinute: Deployment.largestQuota, tokensPerMinute: Deployment.largestQuota,
                                   charge: .promptOnly, kind: .batch, maxEnqueuedTokens: 1_000)
        var scheduler = try makeScheduler([batch])
        #expect(scheduler.enqueuedElsewhere(700, on: "batch", now: at(0)) == [])
        let (id, waiting) = scheduler.submit(Job(model: "m", promptTokens: 400, maxOutputTokens: 10, acceptsBatch: true), now: at(1))
        #expect(waiting == [])
        #expect(scheduler.snapshot(now: at(1)).deployments[0].enqueuedTokens == 700)
        #expect(scheduler.enqueuedElsewhere(0, on: "batch", now: at(2)) == [.dispatch(id, to: "batch", attempt: 1)])
        #expect(scheduler.snapshot(now: at(2)).deployments[0].enqueuedTokens == 400)
        _ = scheduler.enqueuedElsewhere(5, on: "nowhere", now: at(3))
        #expect(scheduler.snapshot(now: at(3)).counters.staleEvents == 1)
    }
}
