import HeadroomCore
import Testing

/// What instances sharing deployments tell the scheduler: its share of a deployment, and holds other instances were told.
@Suite("Shared capacity events")
struct SharedCapacityTests {
    @Test("A share scales what every window admits, for every queue and allocation",
          arguments: QueueKind.allCases, AllocationKind.allCases)
    func shareScalesLimits(_ queue: QueueKind, _ allocation: AllocationKind) throws {
        // 1,000 tokens a minute; a quarter is 250: two 100-token jobs fit, the third waits for the first to leave.
        var scheduler = try makeScheduler([server("a", tpm: 1_000)], queue: queue, allocation: allocation)
        #expect(scheduler.share(0.25, for: "a", now: at(0)) == [])
        let first = scheduler.submit(job(50, 50), now: at(0))
        let second = scheduler.submit(job(50, 50), now: at(1))
        let third = scheduler.submit(job(50, 50), now: at(2))
        #expect(first.actions == [.dispatch(first.id, to: "a", attempt: 1)])
        #expect(second.actions == [.dispatch(second.id, to: "a", attempt: 1)])
        #expect(third.actions == [.scheduleWakeup(at: at(60))])
        let snapshot = scheduler.snapshot(now: at(2)).deployments[0]
        #expect(snapshot.share == 0.25 && snapshot.remainingTokens == 50 && snapshot.occupancy == 0.2)
    }

    @Test("A larger share lets waiting jobs go at once; a share of 0 sends nothing, whatever the windows hold")
    func shareChangesRejudgeWaitingJobs() throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000)])
        _ = scheduler.share(0, for: "a", now: at(0))
        let waiting = scheduler.submit(job(50, 50), now: at(0))
        // Nothing to wake up for: only a new share admits anything.
        #expect(waiting.actions == [])
        #expect(scheduler.snapshot(now: at(0)).deployments[0].remainingTokens == 0)
        #expect(scheduler.share(0.5, for: "a", now: at(3)) == [.dispatch(waiting.id, to: "a", attempt: 1)])
    }

    @Test("A lower share keeps the charges already sent: nothing new goes until they leave room under it")
    func lowerShareKeepsCharges() throws {
        var scheduler = try makeScheduler([server("a", tpm: 1_000)])
        let sent = scheduler.submit(job(200, 200), now: at(0))
        #expect(sent.actions == [.dispatch(sent.id, to: "a", attempt: 1)])
        _ = scheduler.share(0.3, for: "a", now: at(1))
        // 400 charged of 300 allowed: a 100-token job waits for the 400 to leave at 60 s.
        let next = scheduler.submit(job(50, 50), now: at(2))
        #expect(next.actions == [.scheduleWakeup(at: at(60))])
        #expect(scheduler.snapshot(now: at(2)).deployments[0].occupancy == 0.4)
    }

    @Test("A hold another instance was told blocks the deployment until then; a past one changes nothing; unknown ones are stale")
    func holdBlocks() throws {
        var scheduler = try makeScheduler([server("a"), server("b")])
        #expect(scheduler.hold("a", until: at(5), now: at(1)) == [])
        let (id, actions) = scheduler.submit(job(), now: at(1))
        #expect(actions == [.dispatch(id, to: "b", attempt: 1)])
        #expect(scheduler.snapshot(now: at(1)).deployments[0].blockedUntil == at(5))
        #expect(scheduler.hold("b", until: at(0.5), now: at(1)) == [])
        #expect(scheduler.snapshot(now: at(1)).deployments[1].blockedUntil == nil)
        _ = scheduler.hold("nowhere", until: at(9), now: at(1))
        _ = scheduler.share(0.5, for: "nowhere", now: at(1))
        #expect(scheduler.counters.staleEvents == 2)
    }

    @Test("Where the provider admits a request across a limit, the whole may send one, a share may not")
    func shareAdmitsNoCrossing() throws {
        var windows = RateWindows.perMinute
        windows.admitsCrossing = true
        // 1,000 a minute, 900 sent: a 200-token job crosses the limit.
        for (share, admitted) in [(1.0, true), (0.999, false)] {
            var scheduler = try makeScheduler([server("a", tpm: 1_000, windows: windows)])
            _ = scheduler.share(share, for: "a", now: at(0))
            let first = scheduler.submit(job(450, 450), now: at(0))
            #expect(first.actions == [.dispatch(first.id, to: "a", attempt: 1)])
            let second = scheduler.submit(job(100, 90), now: at(1))
            if admitted {
                #expect(second.actions == [.dispatch(second.id, to: "a", attempt: 1)])
            } else {
                #expect(second.actions == [.scheduleWakeup(at: at(60))])
            }
        }
    }

    @Test("Shares out of range are clamped: above 1 is 1, below 0 or not a number is 0")
    func clampsShares() throws {
        var scheduler = try makeScheduler([server("a")])
        _ = scheduler.share(7, for: "a", now: at(0))
        #expect(scheduler.snapshot(now: at(0)).deployments[0].share == 1)
        _ = scheduler.share(-1, for: "a", now: at(0))
        #expect(scheduler.snapshot(now: at(0)).deployments[0].share == 0)
        _ = scheduler.share(1, for: "a", now: at(0))
        _ = scheduler.share(.nan, for: "a", now: at(0))
        #expect(scheduler.snapshot(now: at(0)).deployments[0].share == 0)
    }
}
