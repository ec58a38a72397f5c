import HeadroomCore
import HeadroomRedis
import HeadroomSharedCapacity
import HeadroomServerSupport
import Testing

@Suite("Share leases on Redis", .serialized, .timeLimit(.minutes(2)))
struct ShareLeaseStoreTests {
    @Test("The Redis script grants what ShareLeases grants, renewal for renewal, on every deployment of a renewal",
          arguments: [(1 as UInt64, 2), (2, 3), (3, 4), (4, 1)])
    func scriptAgreesWithModel(seed: UInt64, expected: Int) async throws {
        let server = try await LocalRedis.start()
        let client = try RedisClient(url: server.url)
        let rules = ShareLeases.Rules(expectedInstances: expected, leaseMilliseconds: 2_000, windowMilliseconds: 9_000)
        let names = ["a", "b", "c", "d", "e"]
        let deployments: [DeploymentID] = ["east", "west"]
        var models = [ShareLeases(), ShareLeases()]
        var random = SeededRandom(seed: seed)
        var now: Int64 = 1_700_000_000_000
        for step in 0 ..< 400 {
            // Now and then a long silence, so leases lapse, are forgotten and the records start again.
            now += step % 97 == 96 ? 90_000 : Int64(random.next() % 900)
            let name = names[Int(random.next() % UInt64(names.count))]
            let store = ShareLeaseStore(client: client, namespace: "t\(seed)", instance: name, rules: rules)
            var reports: [ShareKeeper.Report] = []
            var expectedGrants: [ShareKeeper.Grant] = []
            for (index, deployment) in deployments.enumerated() {
                let holding = Int(random.next() % 1_200_000) - 100_000
                let occupancy = Int(random.next() % 1_100_000)
                let wantsMore = random.next() % 2 == 0
                let holdFor: Int64 = random.next() % 5 == 0 ? Int64(random.next() % 4_000) + 1 : 0
                reports.append(.init(deployment: deployment, holding: holding, occupancy: occupancy, wantsMore: wantsMore, holdFor: .milliseconds(holdFor)))
                let share = models[index].renew(name, holding: holding, occupancy: occupancy, wantsMore: wantsMore,
                                                heldUntil: holdFor > 0 ? now + holdFor : 0, now: now, rules: rules)
                expectedGrants.append(.init(deployment: deployment, share: share, holdFor: .milliseconds(max(0, models[index].heldUntil - now))))
            }
            let grants = try await store.renew(reports, now: now)
            #expect(grants == expectedGrants, "step \(step): \(name) at \(now)")
        }
        await client.close()
        await server.stop()
    }

    @Test("Without a time given, Redis's clock is the group's: a hold reported is told back as what is left of it")
    func serverClock() async throws {
        let server = try await LocalRedis.start()
        let client = try RedisClient(url: server.url)
        let rules = ShareLeases.Rules(expectedInstances: 2)
        let a = ShareLeaseStore(client: client, namespace: "clock", instance: "a", rules: rules)
        let b = ShareLeaseStore(client: client, namespace: "clock", instance: "b", rules: rules)
        let first = try await a.renew([.init(deployment: "east", holding: 0, occupancy: 0, wantsMore: true, holdFor: .seconds(30))])
        #expect(first.map(\.share) == [500_000])
        let second = try await b.renew([.init(deployment: "east", holding: 0, occupancy: 0, wantsMore: true)])
        #expect(second[0].share == 500_000)
        #expect(second[0].holdFor > .seconds(29) && second[0].holdFor <= .seconds(30))
        await client.close()
        await server.stop()
    }

    @Test("Redis out of reach is an error the caller can fall back on, not a hang")
    func unreachable() async throws {
        let server = try await LocalRedis.start()
        let client = try RedisClient(url: server.url, timeout: .milliseconds(300))
        await server.stop()
        let store = ShareLeaseStore(client: client, namespace: "gone", instance: "a", rules: ShareLeases.Rules(expectedInstances: 2))
        await #expect(throws: RedisError.self) {
            try await store.renew([.init(deployment: "east", holding: 0, occupancy: 0, wantsMore: true)])
        }
        await client.close()
    }
}
