import HeadroomCore
import Testing

/// The dispatch pass finds a job it found blocked blocked again, without
/// judging it, until its wait lapses or something changes where it fits. Each
/// test blocks a job, lets an event pass that changes nothing (a tick), then
/// makes one such change and expects the job to be judged afresh.
@Suite("Blocked jobs judged again")
struct SchedulerRejudgingTests {
    @Test("A completion that frees a deployment's last slot sends the waiting job there at once")
    func freedSlot() throws {
        var scheduler = try makeScheduler([server("a", concurrency: 1), server("b", tpm: 1_000)])
        let first = scheduler.submit(job(), now: at(0)).id
        _ = scheduler.submit(job(700, 100), now: at(0))
        // a is at its cap; b fits 600 more tokens only at 60 s.
        let (waiting, actions) = scheduler.submit(job(500, 100), now: at(0.5))
        #expect(actions == [.scheduleWakeup(at: at(60))])
        #expect(scheduler.tick(now: at(1)) == [])
        // Used exactly what was reserved: only the slot comes free.
        let exact = AttemptOutcome.succeeded(Usage(promptTokens: 100, completionTokens: 100))
        #expect(scheduler.complete(first, outcome: exact, now: at(2)) == [served(first, by: "a", Usage(promptTokens: 100, completionTokens: 100)),
                                                                         .dispatch(waiting, to: "a", attempt: 1)])
    }

    @Test("A settlement below the reservation sends the waiting job at once")
    func settledBelowReservation() throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000)])
        let first = scheduler.submit(job(500, 500), now: at(0)).id
        let (waiting, actions) = scheduler.submit(job(400, 100), now: at(1))
        #expect(actions == [.scheduleWakeup(at: at(60))])
        #expect(scheduler.tick(now: at(2)) == [])
        let usage = AttemptOutcome.succeeded(Usage(promptTokens: 100, completionTokens: 100))
        #expect(scheduler.complete(first, outcome: usage, now: at(3)) == [served(first, by: "a", Usage(promptTokens: 100, completionTokens: 100)),
                                                                         .dispatch(waiting, to: "a", attempt: 1)])
    }

    /// Two deployments of 1,000 tokens a minute and no backfilling: a job sent
    /// to a at 0 s and one to b at 5 s, then one that fits on a at 60 s and on
    /// b at 65 s and so claims a; then a tick that changes nothing.
    private func waitingOnA() throws -> (scheduler: any SchedulerEvents, onA: JobID, waiting: JobID) {
        var configuration = SchedulerConfiguration.exact
        configuration.backfill = false
        var scheduler = try makeScheduler([server("a", tpm: 1_000), server("b", tpm: 1_000)], configuration: configuration)
        let onA = scheduler.submit(job(500, 100), now: at(0)).id
        _ = scheduler.submit(job(500, 100), now: at(5))
        let (waiting, actions) = scheduler.submit(job(600, 100), now: at(10))
        #expect(actions == [.scheduleWakeup(at: at(60))])
        #expect(scheduler.tick(now: at(11)) == [])
        return (scheduler, onA, waiting)
    }

    /// Headers saying a has nothing left for 100 s.
    private let emptyUntil100s = RateLimitObservation(tokens: .init(remaining: 0, limit: 1_000, resetIn: .seconds(100)), refill: .atReset)

    @Test("Headers showing less room where the job waits move its claim to where it now fits first")
    func headersMoveTheClaim() throws {
        var configuration = SchedulerConfiguration.exact
        configuration.backfill = false
        var scheduler = try makeScheduler([server("a", tpm: 1_000, models: ["x"]), server("b", tpm: 1_000, models: ["y"])], configuration: configuration)
        _ = scheduler.submit(job(500, 100, model: "x"), now: at(0))
        _ = scheduler.submit(job(500, 100, model: "y"), now: at(5))
        _ = scheduler.submit(job(50, 50, model: "x"), now: at(8))
        // Fits on a at 60 s, once the charge sent at 0 s leaves; on b at 65 s: it claims a.
        let either = Job(models: ["x", "y"], promptTokens: 600, maxOutputTokens: 100)
        let (waiting, actions) = scheduler.submit(either, now: at(10))
        #expect(actions == [.scheduleWakeup(at: at(60))])
        #expect(scheduler.tick(now: at(11)) == [])
        // Headers on their own hold a until a window after its newest request, 68 s: b is sooner.
        #expect(scheduler.observe(emptyUntil100s, for: "a", now: at(12)) == [.scheduleWakeup(at: at(65))])
        #expect(scheduler.tick(now: at(65)) == [.dispatch(waiting, to: "b", attempt: 1)])
    }

    @Test("A deployment back in rotation takes the waiting job at once")
    func enabledDeployment() throws {
        var configuration = SchedulerConfiguration.exact
        configuration.probeOutOfRotation = nil
        var scheduler = try makeScheduler([server("a", tpm: 10_000), server("b", tpm: 1_000)], configuration: configuration)
        let first = scheduler.submit(job(500, 100), now: at(0)).id
        // a fails for good: it leaves rotation, and the job goes to b.
        let unavailable = scheduler.complete(first, outcome: .deploymentUnavailable(message: "key revoked"), now: at(1))
        #expect(unavailable.last == .dispatch(first, to: "b", attempt: 2))
        let (waiting, actions) = scheduler.submit(job(500, 100), now: at(2))
        #expect(actions == [.scheduleWakeup(at: at(61))])
        #expect(scheduler.tick(now: at(3)) == [])
        #expect(scheduler.enable("a", now: at(4)) == [.dispatch(waiting, to: "a", attempt: 1)])
    }

    @Test("A job that backfills the claimed deployment up to its cap moves the claim elsewhere")
    func backfillFillsTheCap() throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000, concurrency: 2), server("b", tpm: 1_000)])
        _ = scheduler.submit(job(500, 100), now: at(0))
        _ = scheduler.submit(job(500, 100), now: at(5))
        // Fits on a at 60 s, on b at 65 s: it claims a.
        let (waiting, actions) = scheduler.submit(job(600, 100), now: at(10))
        #expect(actions == [.scheduleWakeup(at: at(60))])
        // A small job backfills a, which cannot delay the claim's tokens, but fills a's two slots.
        let (small, backfilled) = scheduler.submit(job(100, 100), now: at(11))
        #expect(backfilled == [.dispatch(small, to: "a", attempt: 1)])
        #expect(scheduler.tick(now: at(12)) == [.scheduleWakeup(at: at(65))])
        #expect(scheduler.tick(now: at(65)) == [.dispatch(waiting, to: "b", attempt: 1)])
    }

    @Test("A claim found again reckons the room left to backfill as of now, with the charges that have since left the window")
    func roomAsOfNow() throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000)])
        _ = scheduler.submit(job(50, 50), now: at(0))
        _ = scheduler.submit(job(800, 100), now: at(30))
        // 200 tokens fit once the 900 sent at 30 s leave the minute, at 90 s.
        let (waiting, actions) = scheduler.submit(job(100, 100), now: at(31))
        #expect(actions == [.scheduleWakeup(at: at(90))])
        // The 100 sent at 0 s left at 60 s: that room may be backfilled, as the claim at 90 s needs none of it.
        let (small, backfilled) = scheduler.submit(job(50, 50), now: at(61))
        #expect(backfilled == [.dispatch(small, to: "a", attempt: 1)])
        #expect(scheduler.tick(now: at(90)) == [.dispatch(waiting, to: "a", attempt: 1)])
    }

    @Test("Headers that come with a completion count from the request they answer, so they lapse before the claim would move")
    func completionHeadersLapseFromTheirRequest() throws {
        var (scheduler, onA, waiting) = try waitingOnA()
        // The usage is what was reserved: only the headers could change anything. They describe a
        // at 0 s, when it took the request; as evidence they last one window, to 60 s, when a fits anyway.
        let exact = AttemptOutcome.succeeded(Usage(promptTokens: 500, completionTokens: 100))
        #expect(scheduler.complete(onA, outcome: exact, rateLimits: emptyUntil100s, now: at(12)) == [served(onA, by: "a", Usage(promptTokens: 500, completionTokens: 100))])
        #expect(scheduler.tick(now: at(60)) == [.dispatch(waiting, to: "a", attempt: 1)])
    }

    /// How the request in flight on the claimed deployment ends.
    enum Refusal: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case throttled, unavailable
        var testDescription: String { rawValue }
        var outcome: AttemptOutcome {
            switch self {
            case .throttled: .throttled(retryAfter: .seconds(100))
            case .unavailable: .deploymentUnavailable(message: "key revoked")
            }
        }
    }

    @Test("A 429 or an outage where the job waits moves its claim, even for a request whose charge has left the window",
          arguments: Refusal.allCases)
    func refusalMovesTheClaim(_ refusal: Refusal) throws {
        var configuration = SchedulerConfiguration.exact
        configuration.backfill = false
        configuration.retry.maxAttempts = 1
        // Limits that shrink after a 429 would recover a step 10 s later, and the wait would end there;
        // a deployment out of rotation would take a probe 30 s later.
        configuration.adaptation.isEnabled = false
        configuration.probeOutOfRotation = nil
        var scheduler = try makeScheduler([server("a", tpm: 1_000, models: ["x"]), server("b", tpm: 1_000, models: ["y"])], configuration: configuration)
        // Still in flight at 68 s, its charge gone from a's minute at 60 s: refusing it settles nothing.
        let slow = scheduler.submit(job(100, 100, model: "x"), now: at(0)).id
        _ = scheduler.submit(job(700, 100, model: "x"), now: at(63))
        _ = scheduler.submit(job(700, 100, model: "y"), now: at(64))
        // Fits on a at 123 s, on b at 124 s: it claims a.
        let either = Job(models: ["x", "y"], promptTokens: 600, maxOutputTokens: 100)
        let (waiting, actions) = scheduler.submit(either, now: at(66))
        #expect(actions == [.scheduleWakeup(at: at(123))])
        #expect(scheduler.tick(now: at(67)) == [])
        let refused = scheduler.complete(slow, outcome: refusal.outcome, now: at(68))
        #expect(failure(refused.first { if case .finish = $0 { true } else { false } })?.kind == .attemptsExhausted)
        #expect(refused.last == .scheduleWakeup(at: at(124)))
        #expect(scheduler.tick(now: at(124)) == [.dispatch(waiting, to: "b", attempt: 1)])
    }
}
