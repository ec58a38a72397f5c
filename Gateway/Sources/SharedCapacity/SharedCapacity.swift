import HeadroomCore
import Logging

/// What an instance that shares deployments must offer: its scheduler's state, and the
/// events a renewal's answer becomes (``HeadroomCore/Scheduler/share(_:for:now:)``,
/// ``HeadroomCore/Scheduler/hold(_:until:now:)``). The live engine is one.
public protocol SharedCapacityMember: Sendable {
    /// The queue and each deployment's state now.
    func snapshot() async -> SchedulerSnapshot
    /// From now on uses `share` (0 to 1) of `deployment`'s limits.
    func share(_ share: Double, for deployment: DeploymentID) async
    /// Holds `deployment` back for `duration`, as another instance was told by a 429.
    func hold(_ deployment: DeploymentID, for duration: Duration) async
}

/// Keeps one instance's leases on its deployments: renews them in Redis every
/// interval and gives the scheduler the shares granted and the holds others were
/// told, as ``HeadroomCore/ShareKeeper`` decides (which also says what happens while
/// Redis is out of reach).
///
/// ```swift
/// let shared = SharedCapacity(store: store, member: engine, renewEvery: .seconds(1), logger: logger)
/// await shared.start()            // the first renewal
/// Task { await shared.run() }     // renews until cancelled
/// ```
public actor SharedCapacity {
    /// What the instance shares, for `/stats`.
    public struct Status: Sendable, Codable, Hashable {
        /// Whether it shares through Redis now.
        public var state: ShareKeeper.State
        /// Renewals that Redis answered.
        public var renewals: Int
        /// Renewals that failed (Redis out of reach, too slow, or an answer not understood).
        public var failures: Int
        /// Times it fell back to its own shares.
        public var fallbacks: Int
        /// Seconds since Redis last answered (`nil`: never).
        public var secondsSinceRenewal: Double?
        /// The share of each deployment it uses now, by name.
        public var shares: [String: Double]
    }

    let store: ShareLeaseStore
    let member: any SharedCapacityMember
    let renewInterval: Duration
    let logger: Logger
    private var keeper: ShareKeeper?
    private var lastSnapshot = Instant.zero

    /// Keeps `member`'s leases in `store`, renewing every `renewEvery`.
    public init(store: ShareLeaseStore, member: any SharedCapacityMember, renewEvery renewInterval: Duration, logger: Logger) {
        self.store = store
        self.member = member
        self.renewInterval = renewInterval
        self.logger = logger
    }

    /// The first renewal: call before the instance takes requests (it has no share until then).
    public func start() async {
        await renew()
    }

    /// Renews every interval until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: renewInterval)
            } catch {
                return
            }
            await renew()
        }
    }

    /// The state now.
    public func status() -> Status {
        Status(state: keeper?.state ?? .starting, renewals: keeper?.renewals ?? 0, failures: keeper?.failures ?? 0,
               fallbacks: keeper?.fallbacks ?? 0, secondsSinceRenewal: keeper?.lastContact.map { (lastSnapshot - $0) / .seconds(1) },
               shares: Dictionary(uniqueKeysWithValues: (keeper?.shares ?? [:]).map { ($0.key.rawValue, $0.value) }))
    }

    /// One renewal: what the scheduler holds and uses goes to Redis, its grants come back as shares
    /// and holds; or, Redis out of reach, the shares fall back as time passes.
    func renew() async {
        let snapshot = await member.snapshot()
        lastSnapshot = snapshot.at
        var keeper = self.keeper ?? ShareKeeper(rules: store.rules, startedAt: snapshot.at)
        let reports = ShareKeeper.reports(for: snapshot)
        let changes: [ShareKeeper.Change]
        do {
            let grants = try await store.renew(reports)
            if keeper.state == .fallback { logger.notice("Redis answers again: sharing the deployments' limits through it again") }
            changes = keeper.renewed(grants, at: snapshot.at)
        } catch {
            let (fallback, fellBack) = keeper.failed(reports.map(\.deployment), at: snapshot.at)
            if fellBack {
                let silent = (snapshot.at - (keeper.lastContact ?? snapshot.at)) / .seconds(1)
                logger.warning("Redis out of reach for \(silent) s (\(error)): each deployment falls back to this instance's own share")
            }
            changes = fallback
        }
        self.keeper = keeper
        for change in changes {
            switch change {
            case .share(let share, let deployment): await member.share(share, for: deployment)
            case .hold(let deployment, let duration): await member.hold(deployment, for: duration)
            }
        }
    }
}
