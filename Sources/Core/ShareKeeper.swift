/// One instance's side of sharing deployments with other instances: what it reports
/// when it renews its leases (``ShareLeases``), and the shares and holds its
/// scheduler is told from the answer, or from the store's silence. The gateway runs
/// it against Redis; the simulator runs it for each instance it plays.
///
/// ```swift
/// var keeper = ShareKeeper(rules: ShareLeases.Rules(expectedInstances: 3), startedAt: now)
/// let reports = ShareKeeper.reports(for: scheduler.snapshot(now: now))
/// // ... the store answers with grants:
/// for change in keeper.renewed(grants, at: now) { ... scheduler.share / scheduler.hold ... }
/// // ... or it did not answer:
/// for change in keeper.failed(reports.map(\.deployment), at: now) { ... }
/// ```
///
/// While the store is silent the instance keeps its shares until its leases lapse,
/// then takes the smaller of each and an equal part (`1 / expectedInstances`), and
/// the equal part once a window has passed, when what others sent under larger
/// shares has left the provider's windows. It starts with no share, so an instance
/// that cannot reach the store at its start sends nothing until a lease and a
/// window have passed.
public struct ShareKeeper: Sendable {
    /// Whether the instance shares through the store now.
    public enum State: String, Hashable, Sendable, Codable {
        /// Not renewed yet.
        case starting
        /// Its leases are renewed.
        case shared
        /// The store is out of reach: it keeps its shares, then an equal part.
        case fallback
    }

    /// What the instance says of one deployment when it renews.
    public struct Report: Hashable, Sendable {
        /// The deployment.
        public var deployment: DeploymentID
        /// The share it holds now, in millionths.
        public var holding: Int
        /// What its windows hold of the deployment's limits, in millionths.
        public var occupancy: Int
        /// Whether it has work waiting that the deployment could take.
        public var wantsMore: Bool
        /// How much longer a provider told it to hold back (a 429's retry-after); zero if none did.
        public var holdFor: Duration

        /// A report.
        public init(deployment: DeploymentID, holding: Int, occupancy: Int, wantsMore: Bool, holdFor: Duration = .zero) {
            self.deployment = deployment
            self.holding = holding
            self.occupancy = occupancy
            self.wantsMore = wantsMore
            self.holdFor = holdFor
        }
    }

    /// What the store granted on one deployment.
    public struct Grant: Hashable, Sendable {
        /// The deployment.
        public var deployment: DeploymentID
        /// The share granted, in millionths of its limits.
        public var share: Int
        /// How much longer every instance holds back (zero: not).
        public var holdFor: Duration

        /// A grant.
        public init(deployment: DeploymentID, share: Int, holdFor: Duration = .zero) {
            self.deployment = deployment
            self.share = share
            self.holdFor = holdFor
        }
    }

    /// What to tell the scheduler.
    public enum Change: Hashable, Sendable {
        /// ``Scheduler/share(_:for:now:)``.
        case share(Double, DeploymentID)
        /// ``Scheduler/hold(_:until:now:)``, until `now` and this long.
        case hold(DeploymentID, Duration)
    }

    /// The rules the instances renew with.
    public let rules: ShareLeases.Rules
    /// Whether the instance shares through the store now.
    public private(set) var state = State.starting
    /// Renewals the store answered.
    public private(set) var renewals = 0
    /// Renewals it did not answer.
    public private(set) var failures = 0
    /// Times the instance fell back to its own shares.
    public private(set) var fallbacks = 0
    /// When the store last answered.
    public private(set) var lastContact: Instant?
    /// The share of each deployment the scheduler uses now.
    public private(set) var shares: [DeploymentID: Double] = [:]
    private let startedAt: Instant
    /// What the store last granted, in millionths.
    private var granted: [DeploymentID: Int] = [:]

    /// A keeper for an instance that starts at `startedAt` with no share of any deployment.
    public init(rules: ShareLeases.Rules, startedAt: Instant) {
        self.rules = rules
        self.startedAt = startedAt
    }

    /// What an instance whose scheduler is in `snapshot` reports: for each deployment, its share
    /// and what its windows hold; that it wants more where work waits and the deployment is taken
    /// up to half its share or more; and how much longer a 429 holds it back.
    public static func reports(for snapshot: SchedulerSnapshot) -> [Report] {
        let waiting = snapshot.queued + snapshot.backingOff > 0
        return snapshot.deployments.map { deployment in
            Report(deployment: deployment.id, holding: millionths(deployment.share), occupancy: millionths(deployment.occupancy),
                   wantsMore: waiting && deployment.outOfRotation == nil && deployment.occupancy >= deployment.share / 2,
                   holdFor: deployment.blockedUntil.map { $0 - snapshot.at } ?? .zero)
        }
    }

    /// The store answered at `now` with `grants`: the shares to use, and the holds others reported.
    public mutating func renewed(_ grants: [Grant], at now: Instant) -> [Change] {
        renewals += 1
        lastContact = now
        state = .shared
        var changes: [Change] = []
        for grant in grants {
            granted[grant.deployment] = grant.share
            if let change = use(Double(grant.share) / Double(ShareLeases.whole), for: grant.deployment) { changes.append(change) }
            if grant.holdFor > .zero { changes.append(.hold(grant.deployment, grant.holdFor)) }
        }
        return changes
    }

    /// The store did not answer a renewal at `now`: the shares as time without it allows.
    /// `fellBack` is true the first time the instance falls back in a stretch of silence.
    public mutating func failed(_ deployments: [DeploymentID], at now: Instant) -> (changes: [Change], fellBack: Bool) {
        failures += 1
        let silent = now - (lastContact ?? startedAt)
        let lease = Duration.milliseconds(rules.leaseMilliseconds)
        guard silent >= lease else { return ([], false) }
        let fellBack = state != .fallback
        if fellBack {
            fallbacks += 1
            state = .fallback
        }
        let equal = Double(rules.equalPart) / Double(ShareLeases.whole)
        let settled = silent >= lease + .milliseconds(rules.windowMilliseconds)
        let changes = deployments.compactMap { deployment in
            let last = Double(granted[deployment] ?? 0) / Double(ShareLeases.whole)
            return use(settled ? equal : min(last, equal), for: deployment)
        }
        return (changes, fellBack)
    }

    /// The change that gives the scheduler `share` of `deployment`, if it is new.
    private mutating func use(_ share: Double, for deployment: DeploymentID) -> Change? {
        // Every deployment starts with no share.
        guard shares[deployment, default: 0] != share else { return nil }
        shares[deployment] = share
        return .share(share, deployment)
    }

    private static func millionths(_ fraction: Double) -> Int {
        Int((min(1, max(0, fraction)) * Double(ShareLeases.whole)).rounded())
    }
}
