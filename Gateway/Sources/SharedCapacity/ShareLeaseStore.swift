import HeadroomCore
import HeadroomRedis

/// One instance's leases on the deployments it shares with other instances, kept in
/// Redis: a renewal is one script run for all its deployments, answered with the
/// share granted on each (``HeadroomCore/ShareLeases`` gives the rules).
///
/// ```swift
/// let store = ShareLeaseStore(client: client, namespace: "prod", instance: "gw-1",
///                             rules: ShareLeases.Rules(expectedInstances: 3))
/// let grants = try await store.renew([.init(deployment: "east", holding: 0, occupancy: 0, wantsMore: true)])
/// grants[0].share   // in millionths of east's limits
/// ```
public struct ShareLeaseStore: Sendable {
    /// The connection pool to Redis.
    public let client: RedisClient
    /// Keeps apart the records of unrelated groups of instances on one Redis.
    public let namespace: String
    /// This instance's name, unique in the group.
    public let instance: String
    /// The rules every instance of the group renews with.
    public let rules: ShareLeases.Rules

    /// A store of `instance`'s leases in `namespace`.
    public init(client: RedisClient, namespace: String, instance: String, rules: ShareLeases.Rules) {
        self.client = client
        self.namespace = namespace
        self.instance = instance
        self.rules = rules
    }

    /// The Redis key of `deployment`'s record (one hash tag: a cluster keeps them in one slot).
    public func key(for deployment: DeploymentID) -> String {
        "{headroom:\(namespace)}:shares:\(deployment.rawValue)"
    }

    /// Renews the leases on the deployments reported; `now` in milliseconds fixes the time (tests),
    /// otherwise Redis's clock is the one clock of the group. Throws ``RedisError`` when Redis
    /// cannot be reached, is too slow, or answers what the script does not.
    public func renew(_ reports: [ShareKeeper.Report], now: Int64? = nil) async throws -> [ShareKeeper.Grant] {
        guard !reports.isEmpty else { return [] }
        var arguments: [[UInt8]] = [instance, "\(rules.expectedInstances)", "\(rules.leaseMilliseconds)", "\(rules.windowMilliseconds)",
                                    now.map { "\($0)" } ?? ""].map { Array($0.utf8) }
        for report in reports {
            let holdMilliseconds = max(0, report.holdFor.nanoseconds / 1_000_000)
            arguments += ["\(report.holding)", "\(report.occupancy)", report.wantsMore ? "1" : "0", "\(holdMilliseconds)"].map { Array($0.utf8) }
        }
        let answer = try await client.run(.shareLeases, keys: reports.map { key(for: $0.deployment) }, arguments: arguments)
        guard case .array(let items?) = answer, items.count == 1 + 2 * reports.count,
              case .integer(let time) = items[0] else {
            throw RedisError.unexpectedReply("the share-lease script answered \(answer)")
        }
        return try reports.enumerated().map { index, report in
            guard case .integer(let share) = items[1 + 2 * index], case .integer(let held) = items[2 + 2 * index],
                  share >= 0, share <= ShareLeases.whole else {
                throw RedisError.unexpectedReply("the share-lease script answered \(answer)")
            }
            return ShareKeeper.Grant(deployment: report.deployment, share: Int(share), holdFor: .milliseconds(max(0, held - time)))
        }
    }
}
