import HeadroomCore
import HeadroomPolicies
import Testing

@Suite("Tenant reserve")
struct TenantReserveTests {
    private func tenantJob(_ tenant: String, tokens: Int = 200) -> Job {
        var next = job(tokens / 2, tokens / 2)
        next.tenant = tenant
        return next
    }

    /// One deployment of 10,000 tokens a minute (sliding), and `reserve`.
    private func scheduler(reserve: Double, queue: QueueKind = .fifo) throws -> any SchedulerEvents {
        var configuration = SchedulerConfiguration.exact
        configuration.tenantReserve = reserve
        return try makeScheduler([server("a", rpm: 1_000, tpm: 10_000)], queue: queue, configuration: configuration)
    }

    private func dispatched(_ actions: [SchedulerAction]) -> [JobID] {
        actions.compactMap { if case .dispatch(let id, _, _) = $0 { id } else { nil } }
    }

    /// Submits `count` jobs of `tenant` at `seconds` and returns their ids and the actions.
    private func submit(_ count: Int, of tenant: String, tokens: Int = 200, at seconds: Double,
                        to scheduler: inout any SchedulerEvents) -> ([JobID], [SchedulerAction]) {
        var ids: [JobID] = [], actions: [SchedulerAction] = []
        for _ in 0 ..< count {
            let (id, more) = scheduler.submit(tenantJob(tenant, tokens: tokens), now: at(seconds))
            ids.append(id)
            actions += more
        }
        return (ids, actions)
    }

    @Test("A tenant over its share leaves the reserve free, and a lighter tenant's request goes at once", arguments: QueueKind.allCases)
    func lightTenantGoesAtOnce(_ queue: QueueKind) throws {
        var scheduler = try scheduler(reserve: 0.1, queue: queue)
        _ = scheduler.submit(tenantJob("light"), now: at(0))
        let (heavy, actions) = submit(60, of: "heavy", at: 0, to: &scheduler)
        // Two go before the heavy tenant is ahead of the light one (200 each, then 400 against 200);
        // then it stops where 1,000 of the 10,000 stay free: 200 + 400 + 42 x 200 = 9,000.
        #expect(dispatched(actions) == Array(heavy.prefix(44)))
        let light = scheduler.submit(tenantJob("light", tokens: 900), now: at(1))
        #expect(dispatched(light.actions) == [light.id])
    }

    @Test("Without a reserve the same light request waits for the busy tenant's charges to leave the minute")
    func withoutReserveLightWaits() throws {
        var scheduler = try scheduler(reserve: 0)
        _ = scheduler.submit(tenantJob("light"), now: at(0))
        let (heavy, actions) = submit(60, of: "heavy", at: 0, to: &scheduler)
        #expect(dispatched(actions) == Array(heavy.prefix(49)))
        let light = scheduler.submit(tenantJob("light", tokens: 900), now: at(1))
        #expect(dispatched(light.actions).isEmpty)
    }

    @Test("A held-back tenant is woken when its charges leave and the reserve is whole again, in its own order")
    func heldBackWakesInOrder() throws {
        var scheduler = try scheduler(reserve: 0.1)
        _ = scheduler.submit(tenantJob("light"), now: at(0))
        let (first, firstActions) = submit(40, of: "heavy", at: 0, to: &scheduler)
        #expect(dispatched(firstActions) == first)
        // 8,200 of 10,000 used: a job of 1,000 and the reserve do not fit, one of 200 would; none passes it.
        let (big, bigActions) = submit(1, of: "heavy", tokens: 1_000, at: 10, to: &scheduler)
        let (small, smallActions) = submit(3, of: "heavy", at: 10, to: &scheduler)
        #expect(dispatched(bigActions + smallActions).isEmpty)
        let wakeups = (bigActions + smallActions).compactMap { if case .scheduleWakeup(let at) = $0 { at } else { nil } }
        #expect(wakeups.last == at(60))
        // At 60 s everything sent at 0 leaves the minute: the big job goes, then the small ones.
        let later = scheduler.tick(now: at(60))
        #expect(dispatched(later) == big + small)
    }

    @Test("A tenant alone, the others idle for a minute, uses every token: the reserve holds nothing for them")
    func idleTenantHoldsNothing() throws {
        var scheduler = try scheduler(reserve: 0.1)
        let light = scheduler.submit(tenantJob("light"), now: at(0))
        _ = scheduler.complete(light.id, outcome: ok, now: at(1))
        // Within the minute the light tenant is still active.
        let (during, duringActions) = submit(2, of: "heavy", at: 30, to: &scheduler)
        #expect(dispatched(duringActions) == during)
        let (heavy, actions) = submit(60, of: "heavy", at: 61, to: &scheduler)
        // Gone for a minute, it holds nothing: jobs of 200 fill the window but for the 400 sent at 30 s.
        #expect(dispatched(actions) == Array(heavy.prefix(48)))
    }

    @Test("A configured reserve of 1 or more, or below 0, is refused", arguments: [-0.1, 1, 2])
    func reserveIsChecked(_ reserve: Double) {
        var configuration = SchedulerConfiguration()
        configuration.tenantReserve = reserve
        #expect(throws: HeadroomError.self) { try configuration.validate() }
    }
}
