/// How instances of Headroom that send to one deployment divide its limits: each
/// holds a lease on a share, renewed often, and the shares are granted so that
/// what the instances hold and use together never exceeds the whole.
///
/// This is the record a shared store keeps for one deployment (the gateway's
/// Redis script applies these same rules, and tests hold the two to the same
/// answers), as a value type the simulator runs in virtual time. Shares are in
/// millionths of the deployment's limits (``whole``), times in milliseconds.
///
/// ```swift
/// var leases = ShareLeases()
/// let rules = ShareLeases.Rules(expectedInstances: 2)
/// let a = leases.renew("a", holding: 0, occupancy: 0, wantsMore: true, now: 0, rules: rules)   // 500,000
/// ```
///
/// The rules, at each renewal by one instance:
///
/// - **What the others hold** is, for each, the larger of its share and what its
///   windows still hold (a share just lowered frees nothing until the charges sent
///   under it leave), counting instances whose lease lapsed until a window has
///   passed since (their charges may still be in the provider's windows).
/// - **What it should have** is its max-min fair part of the whole: an instance with
///   work waiting asks for everything, one without for what it uses and a quarter
///   more (at least a tenth of an equal part more, so a first request goes at once).
/// - **It gets** what it should have, at most what the others leave free. A lower
///   share takes effect at once; a higher one only from what is free.
/// - **After the record starts** (a new store, or one that lost its data), instances
///   not yet heard from are counted as holding an equal part, the share each takes
///   on its own when the store is out of reach, and none is granted more than it
///   already held or that equal part, until a lease and a window have passed.
/// - **A hold** (a provider's retry-after) one instance reports is told to all until it ends.
public struct ShareLeases: Hashable, Sendable {
    /// The millionths that make the whole of a deployment's limits.
    public static let whole = 1_000_000

    /// The settings every instance renews with.
    public struct Rules: Hashable, Sendable {
        /// How many instances are expected: an instance on its own takes `whole / expectedInstances`.
        public var expectedInstances: Int
        /// How long a granted share holds without a renewal, in milliseconds.
        public var leaseMilliseconds: Int64
        /// The longest window the provider enforces, in milliseconds: how long charges count.
        public var windowMilliseconds: Int64

        /// Rules for `expectedInstances` instances, leases of 10 s and the provider's minute.
        public init(expectedInstances: Int, leaseMilliseconds: Int64 = 10_000, windowMilliseconds: Int64 = 60_000) {
            self.expectedInstances = max(1, expectedInstances)
            self.leaseMilliseconds = max(1, leaseMilliseconds)
            self.windowMilliseconds = max(0, windowMilliseconds)
        }

        /// The equal part: what an instance takes on its own.
        public var equalPart: Int { ShareLeases.whole / expectedInstances }
    }

    /// One instance's lease, as last renewed.
    public struct Holder: Hashable, Sendable {
        /// The share granted, in millionths.
        public var share: Int
        /// What its windows held of the limits when it renewed, in millionths.
        public var occupancy: Int
        /// Whether it had work waiting that this deployment could take.
        public var wantsMore: Bool
        /// When the lease lapses without a renewal.
        public var expiresAt: Int64

        /// What it asks for: everything when work waits, else what it uses and room to grow
        /// (a quarter more, and at least `margin`).
        func asking(margin: Int) -> Int {
            wantsMore ? ShareLeases.whole : min(ShareLeases.whole, occupancy + max(margin, occupancy / 4))
        }
    }

    /// The instances' leases, by instance name.
    public private(set) var holders: [String: Holder] = [:]
    /// When the record started: the first renewal it saw.
    public private(set) var startedAt: Int64?
    /// Until when the deployment holds every instance back (a provider's retry-after one reported).
    public private(set) var heldUntil: Int64 = 0

    /// An empty record.
    public init() {}

    /// What `instance` is granted when it renews at `now`, holding `current` (its share now, in
    /// millionths), its windows holding `occupancy`, with work waiting or not (`wantsMore`), and
    /// having been told by the provider to hold back until `heldUntil` (0: not).
    public mutating func renew(_ instance: String, holding current: Int, occupancy: Int, wantsMore: Bool, heldUntil hold: Int64 = 0,
                               now: Int64, rules: Rules) -> Int {
        let start = startedAt ?? now
        startedAt = start
        heldUntil = max(heldUntil, hold)
        holders = holders.filter { $0.key == instance || now < $0.value.expiresAt.addingSaturating(rules.windowMilliseconds) }
        let held = max(0, min(Self.whole, current))
        var me = holders[instance] ?? Holder(share: 0, occupancy: 0, wantsMore: false, expiresAt: now)
        me.share = max(me.share, held)
        me.occupancy = max(0, min(Self.whole, occupancy))
        me.wantsMore = wantsMore
        me.expiresAt = now.addingSaturating(rules.leaseMilliseconds)
        holders[instance] = me

        let live = holders.filter { $0.value.expiresAt > now }
        let starting = now < start.addingSaturating(rules.leaseMilliseconds).addingSaturating(rules.windowMilliseconds)
        // Instances the record has not heard from (lapsed ones count as they held).
        let unknown = starting ? max(0, rules.expectedInstances - holders.count) * rules.equalPart : 0
        var others = unknown
        for (name, holder) in holders where name != instance {
            others += max(holder.share, holder.occupancy)
        }
        let margin = rules.equalPart / 10
        let level = Self.fairLevel(live.values.map { $0.asking(margin: margin) }, total: Self.whole - unknown)
        let asked = me.asking(margin: margin)
        var granted = min(asked, level, max(0, Self.whole - others))
        if starting { granted = min(granted, max(held, rules.equalPart)) }
        holders[instance]?.share = granted
        return granted
    }

    /// The level of a max-min fair division of `total` among `demands`: each gets the smaller of its
    /// demand and the level (`Int.max` when every demand fits).
    static func fairLevel(_ demands: [Int], total: Int) -> Int {
        var remaining = max(0, total)
        var count = demands.count
        for demand in demands.sorted() {
            let level = remaining / count
            guard demand <= level else { return level }
            remaining -= demand
            count -= 1
        }
        return .max
    }
}
