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
/// interval and gives the scheduler the shares granted and the holds others were told.
///
/// When Redis cannot be reached, the instance keeps its shares until its leases
/// lapse, then takes the smaller of each and an equal part (`1 / expectedInstances`),
/// and the equal part once a window has passed (so that what others sent under
/// larger shares has left the provider's windows); when Redis answers again, it renews
/// as before. It starts with no share, so an instance that cannot reach Redis at its
/// start sends nothing until a lease and a window have passed.
///
/// ```swift
/// let shared = SharedCapacity(store: store, member: engine, renewEvery: .seconds(1), logger: logger)
/// await shared.start()            // no share, then the first renewal
/// Task { await shared.run() }     // renews until cancelled
/// ```
public actor SharedCapacity {
    /// Whether the instance shares through Redis now.
    public enum State: String, Sendable, Codable {
        /// Not renewed yet.
        case starting
        /// Its leases are renewed.
        case shared
        /// Redis is out of reach: it keeps its shares, then an equal part.
        case fallback
    }

    /// What the instance shares, for `/stats`.
    public struct Status: Sendable, Codable, Hashable {
        /// Whether it shares through Redis now.
        public var state: State
        /// Renewals that Redis answered, and those it did not.
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
    private let clock = ContinuousClock()
    private let startedAt: ContinuousClock.Instant
    private var lastContact: ContinuousClock.Instant?
    /// What Redis last granted, in millionths, and the share the scheduler uses now.
    private var granted: [DeploymentID: Int] = [:]
    private var using: [DeploymentID: Double] = [:]
    private var state = State.starting
    private var renewals = 0
    private var failures = 0
    private var fallbacks = 0

    /// Keeps `member`'s leases in `store`, renewing every `renewEvery`.
    public init(store: ShareLeaseStore, member: any SharedCapacityMember, renewEvery renewInterval: Duration, logger: Logger) {
        self.store = store
        self.member = member
        self.renewInterval = renewInterval
        self.logger = logger
        startedAt = clock.now
    }

    /// Takes every deployment's share away, then renews once: call before the instance takes requests.
    public func start() async {
        for deployment in await member.snapshot().deployments {
            await use(0, for: deployment.id)
        }
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
        Status(state: state, renewals: renewals, failures: failures, fallbacks: fallbacks,
               secondsSinceRenewal: lastContact.map { (clock.now - $0) / .seconds(1) },
               shares: Dictionary(uniqueKeysWithValues: using.map { ($0.key.rawValue, $0.value) }))
    }

    /// One renewal: what the scheduler holds and uses goes to Redis, its grants come back as shares
    /// and holds; or, Redis out of reach, the shares fall back as time passes.
    func renew() async {
        let snapshot = await member.snapshot()
        let waiting = snapshot.queued + snapshot.backingOff > 0
        let reports = snapshot.deployments.map { deployment in
            ShareLeaseStore.Report(
                deployment: deployment.id, holding: Self.millionths(deployment.share), occupancy: Self.millionths(deployment.occupancy),
                // Work waits and this deployment is taken up to its share: it could use more.
                wantsMore: waiting && deployment.outOfRotation == nil && deployment.occupancy >= deployment.share / 2,
                holdFor: deployment.blockedUntil.map { $0 - snapshot.at } ?? .zero)
        }
        do {
            let grants = try await store.renew(reports)
            renewals += 1
            lastContact = clock.now
            if state == .fallback { logger.notice("Redis answers again: sharing the deployments' limits through it again") }
            state = .shared
            for grant in grants {
                granted[grant.deployment] = grant.share
                await use(Double(grant.share) / Double(ShareLeases.whole), for: grant.deployment)
                if grant.holdFor > .zero { await member.hold(grant.deployment, for: grant.holdFor) }
            }
        } catch {
            failures += 1
            await fallBack(reports.map(\.deployment), because: error)
        }
    }

    /// Redis did not answer: shares as the last grants until the leases lapse, then no more than
    /// an equal part, then the equal part once a window has passed.
    private func fallBack(_ deployments: [DeploymentID], because error: any Error) async {
        let silent = clock.now - (lastContact ?? startedAt)
        let lease = Duration.milliseconds(store.rules.leaseMilliseconds)
        guard silent >= lease else { return }
        if state != .fallback {
            fallbacks += 1
            state = .fallback
            logger.warning("Redis out of reach for \(silent / .seconds(1)) s (\(error)): each deployment falls back to this instance's own share")
        }
        let equal = Double(store.rules.equalPart) / Double(ShareLeases.whole)
        let settled = silent >= lease + .milliseconds(store.rules.windowMilliseconds)
        for deployment in deployments {
            let last = Double(granted[deployment] ?? 0) / Double(ShareLeases.whole)
            await use(settled ? equal : min(last, equal), for: deployment)
        }
    }

    /// Tells the scheduler a share, if it changed.
    private func use(_ share: Double, for deployment: DeploymentID) async {
        guard using[deployment] != share else { return }
        using[deployment] = share
        await member.share(share, for: deployment)
    }

    private static func millionths(_ fraction: Double) -> Int {
        Int((min(1, max(0, fraction)) * Double(ShareLeases.whole)).rounded())
    }
}
