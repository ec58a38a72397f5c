/// Which tenants are taking more than their weighted share of recent service, for
/// ``SchedulerConfiguration/tenantReserve``.
///
/// A tenant is *active* while it has a job that has not ended or was served within the last
/// ``horizon``; it is *over its share* when two or more tenants are active and its tokens
/// dispatched within the horizon, over its weight, exceed the active tenants' together over
/// their weights. So of two tenants that both want more than they get, the one ahead is over,
/// and a tenant that sends little is never over while a heavier one is active.
struct TenantShares: Sendable {
    /// How far back service counts: the longest rate window.
    static let horizon = Duration.seconds(60).nanoseconds

    private struct Charge: BitwiseCopyable {
        var time: Int64
        var tenant: Int
        var tokens: Int
    }

    /// Dispatches within the horizon, oldest first.
    private var recent = Ring<Charge>()
    /// By tenant number less one: tokens dispatched within the horizon, jobs not ended, weight.
    private var served: [Int] = []
    private var live: [Int] = []
    private var weights: [Double] = []
    private var activeCount = 0
    private var activeWeight = 0.0
    /// Tokens dispatched within the horizon, all tenants together (an inactive tenant has none).
    private var servedTotal = 0

    /// Takes in tenant number `served.count + 1`, of weight `weight`.
    mutating func addTenant(weight: Double) {
        served.append(0)
        live.append(0)
        weights.append(weight)
    }

    /// A job of `tenant` arrived.
    mutating func arrived(_ tenant: TenantID) {
        change(tenant) { $0.live[$1] += 1 }
    }

    /// A job of `tenant` ended.
    mutating func ended(_ tenant: TenantID) {
        change(tenant) { $0.live[$1] -= 1 }
    }

    /// A job of `tenant` was dispatched at `now`, charged `tokens`.
    mutating func dispatched(_ tenant: TenantID, tokens: Int, now: Int64) {
        let index = Int(tenant.rawValue) - 1
        recent.append(Charge(time: now, tenant: index, tokens: tokens))
        change(tenant) { $0.served[$1] += tokens }
        servedTotal += tokens
    }

    /// Forgets the service older than the horizon at `now`.
    mutating func advance(to now: Int64) {
        let cutoff = now.addingSaturating(-Self.horizon)
        var position = recent.startIndex
        while position < recent.endIndex, recent[position].time <= cutoff {
            let oldest = recent[position]
            change(TenantID(rawValue: UInt32(oldest.tenant + 1))) { $0.served[$1] -= oldest.tokens }
            servedTotal -= oldest.tokens
            position += 1
        }
        recent.removeFirst(upTo: position)
    }

    /// Whether `tenant` is over its weighted share of the horizon's service while another tenant is active.
    func isOverShare(_ tenant: TenantID) -> Bool {
        let index = Int(tenant.rawValue) - 1
        return activeCount >= 2 && Double(served[index]) * activeWeight > weights[index] * Double(servedTotal)
    }

    private func isActive(_ index: Int) -> Bool {
        live[index] > 0 || served[index] > 0
    }

    /// Applies `update` to tenant `tenant`'s counts and keeps the active tenants' number and weight.
    private mutating func change(_ tenant: TenantID, _ update: (inout Self, Int) -> Void) {
        let index = Int(tenant.rawValue) - 1
        let was = isActive(index)
        update(&self, index)
        let now = isActive(index)
        guard was != now else { return }
        activeCount += now ? 1 : -1
        // Summed afresh rather than added and taken away, so that no rounding accumulates.
        activeWeight = activeCount == 0 ? 0 : served.indices.reduce(0) { isActive($1) ? $0 + weights[$1] : $0 }
    }
}
