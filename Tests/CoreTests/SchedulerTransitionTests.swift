import HeadroomCore
import Testing

/// Exact action sequences for the core's transitions, over every policy pair.
@Suite("Scheduler transitions")
struct SchedulerTransitionTests {
    static let pairs = QueueKind.allCases.flatMap { q in AllocationKind.allCases.map { (q, $0) } }

    @Test("A job dispatches at once when a deployment has room", arguments: pairs)
    func dispatchesAtOnce(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a")], queue: queue, allocation: allocation)
        let (id, actions) = scheduler.submit(job(), now: at(0))
        #expect(actions == [.dispatch(id, to: "a", attempt: 1)])
        #expect(scheduler.complete(id, outcome: ok, now: at(1)) == [served(id, by: "a", okUsage)])
        #expect(scheduler.counters.succeeded == 1)
    }

    @Test("The requests-per-minute limit holds a job until the oldest request leaves the minute", arguments: pairs)
    func requestLimitWakesExactly(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a", rpm: 2)], queue: queue, allocation: allocation)
        let first = scheduler.submit(job(), now: at(0)).id
        let second = scheduler.submit(job(), now: at(5)).id
        let (third, actions) = scheduler.submit(job(), now: at(6))
        #expect(actions == [.scheduleWakeup(at: at(60))])
        #expect(scheduler.tick(now: at(59.999)) == [])
        #expect(scheduler.tick(now: at(60)) == [.dispatch(third, to: "a", attempt: 1)])
        _ = (first, second)
    }

    @Test("The tokens-per-minute limit wakes the queue when enough tokens have left the minute", arguments: pairs)
    func tokenLimitWakesExactly(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000)], queue: queue, allocation: allocation)
        _ = scheduler.submit(job(300, 100), now: at(0))
        _ = scheduler.submit(job(300, 100), now: at(10))
        let (third, blocked) = scheduler.submit(job(300, 100), now: at(20))
        #expect(blocked == [.scheduleWakeup(at: at(60))])
        #expect(scheduler.tick(now: at(60)) == [.dispatch(third, to: "a", attempt: 1)])
        let (fourth, again) = scheduler.submit(job(300, 100), now: at(61))
        #expect(again == [.scheduleWakeup(at: at(70))])
        #expect(scheduler.tick(now: at(70)) == [.dispatch(fourth, to: "a", attempt: 1)])
    }

    @Test("Azure's 10-second window spreads a minute's budget instead of spending it in a burst", arguments: pairs)
    func subWindowPacesBursts(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        let azure = try Deployment(id: "east", provider: .azureOpenAI, requestsPerMinute: 360, tokensPerMinute: 60_000)
        var scheduler = try makeScheduler([azure], queue: queue, allocation: allocation)
        let a = scheduler.submit(job(3_000, 1_000), now: at(0))
        let b = scheduler.submit(job(3_000, 1_000), now: at(0))
        let c = scheduler.submit(job(3_000, 1_000), now: at(0))
        #expect(a.actions == [.dispatch(a.id, to: "east", attempt: 1)])
        #expect(b.actions == [.dispatch(b.id, to: "east", attempt: 1)])
        #expect(c.actions == [.scheduleWakeup(at: at(10))])
        #expect(scheduler.tick(now: at(10)) == [.dispatch(c.id, to: "east", attempt: 1)])
    }

    @Test("A job larger than a sub-window's share goes when that window is empty, then holds it", arguments: pairs)
    func oversizedJobTakesAnEmptyWindow(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        let azure = try Deployment(id: "east", provider: .azureOpenAI, requestsPerMinute: 36, tokensPerMinute: 6_000)
        var scheduler = try makeScheduler([azure], queue: queue, allocation: allocation)
        let big = scheduler.submit(job(1_000, 500), now: at(0))
        #expect(big.actions == [.dispatch(big.id, to: "east", attempt: 1)])
        let small = scheduler.submit(job(50, 50), now: at(1))
        #expect(small.actions == [.scheduleWakeup(at: at(10))])
        #expect(scheduler.tick(now: at(10)) == [.dispatch(small.id, to: "east", attempt: 1)])
    }

    @Test("The concurrency cap holds a job until a completion frees a slot", arguments: pairs)
    func concurrencyCap(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a", concurrency: 1)], queue: queue, allocation: allocation)
        let first = scheduler.submit(job(), now: at(0)).id
        let (second, actions) = scheduler.submit(job(), now: at(0))
        #expect(actions == [])
        #expect(scheduler.complete(first, outcome: ok, now: at(2)) == [served(first, by: "a", okUsage), .dispatch(second, to: "a", attempt: 1)])
    }

    @Test("A 429 blocks the deployment for exactly the retry-after, then the job goes again", arguments: pairs)
    func throttleWaitsRetryAfter(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a")], queue: queue, allocation: allocation)
        let id = scheduler.submit(job(), now: at(0)).id
        #expect(scheduler.complete(id, outcome: .throttled(retryAfter: .seconds(2)), now: at(1)) == [.scheduleWakeup(at: at(3))])
        #expect(scheduler.tick(now: at(3)) == [.dispatch(id, to: "a", attempt: 2)])
        #expect(scheduler.complete(id, outcome: ok, now: at(4)) == [served(id, by: "a", attempts: 2, okUsage)])
        #expect(scheduler.counters.throttled == 1 && scheduler.counters.retries == 1)
    }

    @Test("A transient failure backs off exponentially, honouring the provider's retry-after", arguments: pairs)
    func transientFailureBacksOff(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a")], queue: queue, allocation: allocation)
        let id = scheduler.submit(job(), now: at(0)).id
        let failure = AttemptOutcome.transientFailure(retryAfter: nil, message: "502 Bad Gateway")
        #expect(scheduler.complete(id, outcome: failure, now: at(1)) == [.scheduleWakeup(at: at(1.5))])
        #expect(scheduler.tick(now: at(1.5)) == [.dispatch(id, to: "a", attempt: 2)])
        #expect(scheduler.complete(id, outcome: failure, now: at(2)) == [.scheduleWakeup(at: at(3))])
        #expect(scheduler.tick(now: at(3)) == [.dispatch(id, to: "a", attempt: 3)])
        let asked = AttemptOutcome.transientFailure(retryAfter: .seconds(7), message: "503")
        #expect(scheduler.complete(id, outcome: asked, now: at(4)) == [.scheduleWakeup(at: at(11))])
    }

    @Test("A job fails once its attempts are used up", arguments: pairs)
    func attemptsExhausted(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var configuration = SchedulerConfiguration.exact
        configuration.retry.maxAttempts = 2
        var scheduler = try makeScheduler([server("a")], queue: queue, allocation: allocation, configuration: configuration)
        let id = scheduler.submit(job(), now: at(0)).id
        #expect(scheduler.complete(id, outcome: .throttled(retryAfter: .zero), now: at(1)) == [.dispatch(id, to: "a", attempt: 2)])
        let last = scheduler.complete(id, outcome: .throttled(retryAfter: nil), now: at(2))
        #expect(last.count == 1 && failure(last.first)?.kind == .attemptsExhausted)
    }

    @Test("A permanent failure ends the job with the provider's message", arguments: pairs)
    func permanentFailure(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a")], queue: queue, allocation: allocation)
        let id = scheduler.submit(job(), now: at(0)).id
        let actions = scheduler.complete(id, outcome: .permanentFailure(message: "context_length_exceeded"), now: at(1))
        let error = try #require(failure(actions.first))
        #expect(actions.count == 1 && error.kind == .rejectedByProvider)
        #expect(error.message == "Deployment 'a' rejected \(id) on attempt 1: context_length_exceeded")
    }

    @Test("A job no deployment could ever serve fails at once, saying why", arguments: pairs)
    func unservableFailsAtOnce(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler(
            [server("small", models: ["m"], context: 1_000), server("other", models: ["x"]), server("tight", tpm: 500, models: ["m"])],
            queue: queue, allocation: allocation
        )
        let (id, actions) = scheduler.submit(job(900, 200), now: at(0))
        let error = try #require(failure(actions.first))
        #expect(actions.count == 1 && error.kind == .unservable)
        #expect(error.message == "No deployment can ever serve \(id) (900 prompt + 200 output tokens): 'small' has a context window of 1000 tokens; 'other' does not serve m; 'tight' allows 500 tokens a minute but charges the job 1100. Send it elsewhere, shorten it, or add a deployment that fits.")
        #expect(scheduler.counters.rejected == 1)
    }

    @Test("A full queue rejects the newcomer", arguments: pairs)
    func queueFullRejects(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var configuration = SchedulerConfiguration.exact
        configuration.maxQueueLength = 1
        var scheduler = try makeScheduler([server("a", concurrency: 1)], queue: queue, allocation: allocation, configuration: configuration)
        _ = scheduler.submit(job(), now: at(0))
        #expect(scheduler.submit(job(), now: at(0)).actions == [])
        let rejected = scheduler.submit(job(), now: at(0)).actions
        #expect(rejected.count == 1 && failure(rejected.first)?.kind == .queueFull)
    }

    @Test("A refusal for a full queue says when the work waiting is expected to have gone")
    func queueFullSaysWhenToRetry() throws {
        var configuration = SchedulerConfiguration.exact
        configuration.maxQueueLength = 2
        // 1,000 tokens and one request a second; every job is charged 1,000.
        var scheduler = try makeScheduler([server("a", rpm: 60, tpm: 60_000, concurrency: 1)], configuration: configuration)
        for _ in 0 ..< 3 { _ = scheduler.submit(job(500, 500), now: at(0)) }
        // Two wait: they and the newcomer go in three seconds at the deployment's rate.
        let rejected = try #require(failure(scheduler.submit(job(500, 500), now: at(0)).actions.first))
        #expect(rejected.kind == .queueFull && rejected.retryAfter == .seconds(3))
        #expect(rejected.message.contains("Retry in 3.0 seconds, when they are expected to have gone"))
    }

    @Test("With no room to wait, a job that can go at once is still taken; one that would wait is refused", arguments: pairs)
    func zeroQueueBound(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var configuration = SchedulerConfiguration.exact
        configuration.maxQueueLength = 0
        var scheduler = try makeScheduler([server("a", concurrency: 1)], queue: queue, allocation: allocation, configuration: configuration)
        let (first, accepted) = scheduler.submit(job(), now: at(0))
        #expect(accepted == [.dispatch(first, to: "a", attempt: 1)])
        let refused = scheduler.submit(job(), now: at(0)).actions
        #expect(refused.count == 1 && failure(refused.first)?.kind == .queueFull)
    }

    @Test("A job waiting past the maximum queue wait fails at that instant", arguments: pairs)
    func queueWaitExpires(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var configuration = SchedulerConfiguration.exact
        configuration.maxQueueWait = .seconds(5)
        var scheduler = try makeScheduler([server("a", rpm: 1)], queue: queue, allocation: allocation, configuration: configuration)
        let first = scheduler.submit(job(), now: at(0))
        #expect(first.actions == [.dispatch(first.id, to: "a", attempt: 1), .scheduleWakeup(at: at(5))])
        let second = scheduler.submit(job(), now: at(1))
        #expect(second.actions == [])
        #expect(scheduler.tick(now: at(5)) == [.scheduleWakeup(at: at(6))])
        _ = scheduler.complete(first.id, outcome: ok, now: at(2))
        let expired = scheduler.tick(now: at(6))
        #expect(expired.count == 1 && failure(expired.first)?.kind == .queueWaitExceeded)
        #expect(scheduler.counters.expired == 1)
    }

    @Test("A job's own deadline ends its wait; a job past its deadline is refused", arguments: pairs)
    func deadline(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a", rpm: 1)], queue: queue, allocation: allocation)
        _ = scheduler.submit(job(), now: at(0))
        let waiting = scheduler.submit(job(deadline: at(3)), now: at(1))
        #expect(waiting.actions == [.scheduleWakeup(at: at(3))])
        let ended = scheduler.tick(now: at(3))
        #expect(ended.count == 1 && failure(ended.first)?.kind == .deadlineExceeded)
        let late = scheduler.submit(job(deadline: at(2)), now: at(4)).actions
        #expect(failure(late.first)?.kind == .deadlineExceeded)
    }

    @Test("Cancelling a waiting job removes it; cancelling one in flight frees its slot", arguments: pairs)
    func cancellation(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a", concurrency: 1)], queue: queue, allocation: allocation)
        let running = scheduler.submit(job(), now: at(0)).id
        let waiting = scheduler.submit(job(), now: at(0)).id
        let third = scheduler.submit(job(), now: at(0)).id
        #expect(scheduler.cancel(waiting, now: at(1)) == [.finish(waiting, .cancelled, .unattempted)])
        #expect(scheduler.cancel(running, now: at(2)) == [.finish(running, .cancelled, JobAccount(deployment: "a", attempts: 1)), .dispatch(third, to: "a", attempt: 1)])
        #expect(scheduler.complete(running, outcome: ok, now: at(3)) == [])
        #expect(scheduler.cancel(waiting, now: at(3)) == [])
        #expect(scheduler.counters.staleEvents == 2 && scheduler.counters.cancelled == 2)
    }

    @Test("Events that arrive with an earlier instant are taken at the latest instant seen", arguments: pairs)
    func timeNeverRunsBackwards(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a", rpm: 1)], queue: queue, allocation: allocation)
        _ = scheduler.submit(job(), now: at(30))
        let (late, actions) = scheduler.submit(job(), now: at(10))
        #expect(actions == [.scheduleWakeup(at: at(90))])
        #expect(scheduler.tick(now: at(90)) == [.dispatch(late, to: "a", attempt: 1)])
    }

    @Test("Cancelling everything ends every job exactly once", arguments: pairs)
    func cancelAll(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a", concurrency: 1)], queue: queue, allocation: allocation)
        let ids = (0 ..< 3).map { _ in scheduler.submit(job(), now: at(0)).id }
        _ = scheduler.complete(ids[0], outcome: .transientFailure(retryAfter: .seconds(1), message: "reset"), now: at(0.5))
        let actions = scheduler.cancelAll(now: at(0.6))
        // The first backs off after its attempt, the second is in flight, the third never went.
        #expect(Set(actions) == [.finish(ids[0], .cancelled, JobAccount(deployment: "a", attempts: 1)), .finish(ids[1], .cancelled, JobAccount(deployment: "a", attempts: 1)),
                                 .finish(ids[2], .cancelled, .unattempted)])
        #expect(scheduler.snapshot(now: at(1)).inFlight == 0)
        #expect(scheduler.counters.ended == 3)
    }
}

@Suite("Deployments out of rotation")
struct OutOfRotationTests {
    @Test("An unavailable deployment leaves rotation, says so, and its job moves to another", arguments: SchedulerTransitionTests.pairs)
    func movesToAnother(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a", concurrency: 1), server("b", concurrency: 1)], queue: queue, allocation: allocation)
        let (id, first) = scheduler.submit(job(), now: at(0))
        guard case .dispatch(_, let bad, 1)? = first.first else { Issue.record("\(first)"); return }
        let good: DeploymentID = bad == "a" ? "b" : "a"
        let actions = scheduler.complete(id, outcome: .deploymentUnavailable(message: "401 invalid api key"), now: at(1))
        #expect(actions == [
            .deploymentDisabled(bad, HeadroomError(.deploymentUnavailable, "Deployment '\(bad)' is out of rotation: 401 invalid api key. Fix its credentials or configuration, then enable it.")),
            .dispatch(id, to: good, attempt: 2),
        ])
        #expect(scheduler.snapshot(now: at(1)).deployments.first { $0.id == bad }?.outOfRotation == "401 invalid api key")
        // The other deployment is busy, yet nothing goes to the one out of rotation before its probe is due, 30 s on.
        #expect(scheduler.submit(job(), now: at(2)).actions == [.scheduleWakeup(at: at(31))])
    }

    @Test("A deployment out of rotation takes one probe when it falls due: an answer brings it back, another refusal doubles the wait",
          arguments: [true, false])
    func probesBringItBack(_ answers: Bool) throws {
        var scheduler = try makeScheduler([server("a", concurrency: 1), server("b", concurrency: 1)])
        let first = scheduler.submit(job(), now: at(0)).id
        _ = scheduler.complete(first, outcome: .deploymentUnavailable(message: "401 invalid api key"), now: at(1))
        // first went to b; two more wait, b being busy.
        let second = scheduler.submit(job(), now: at(2)).id
        let third = scheduler.submit(job(), now: at(3)).id
        // At 31 s one of them probes a, and only one.
        #expect(scheduler.tick(now: at(31)) == [.dispatch(second, to: "a", attempt: 1)])
        if answers {
            #expect(scheduler.complete(second, outcome: ok, now: at(32)) == [served(second, by: "a", okUsage), .dispatch(third, to: "a", attempt: 1)])
            #expect(scheduler.snapshot(now: at(32)).deployments[0].outOfRotation == nil)
        } else {
            // Refused again: the job moves on, and the next probe is due 60 s later.
            let refused = scheduler.complete(second, outcome: .deploymentUnavailable(message: "401 invalid api key"), now: at(32))
            #expect(refused == [.scheduleWakeup(at: at(92))])
            #expect(scheduler.tick(now: at(92)) == [.dispatch(second, to: "a", attempt: 2)])
        }
    }

    @Test("Jobs nothing else can serve fail with the reason; enabling restores the deployment", arguments: SchedulerTransitionTests.pairs)
    func strandedJobsFail(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        var scheduler = try makeScheduler([server("a", concurrency: 1)], queue: queue, allocation: allocation)
        let first = scheduler.submit(job(), now: at(0)).id
        let waiting = scheduler.submit(job(), now: at(0)).id
        let actions = scheduler.complete(first, outcome: .deploymentUnavailable(message: "deployment not found"), now: at(1))
        let reason = "'a' (deployment not found)"
        #expect(actions.count == 3)
        #expect(actions.contains(.finish(waiting, .failed(HeadroomError(.deploymentUnavailable, "Every deployment that could serve \(waiting) is out of rotation: \(reason). Enable one, or add another.")), .unattempted)))
        #expect(actions.contains(.finish(first, .failed(HeadroomError(.deploymentUnavailable, "Every deployment that could serve \(first) is out of rotation: \(reason). Enable one, or add another.")), JobAccount(deployment: "a", attempts: 1))))
        let refused = scheduler.submit(job(), now: at(2))
        #expect(failure(refused.actions.first)?.kind == .deploymentUnavailable)
        #expect(scheduler.enable("a", now: at(3)) == [])
        let (again, dispatched) = scheduler.submit(job(), now: at(4))
        #expect(dispatched == [.dispatch(again, to: "a", attempt: 1)])
        #expect(scheduler.counters.ended == 3)
    }
}
