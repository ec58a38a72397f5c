/// A budget the server reported, held as evidence about one moment: `remaining`
/// when the server judged the request at ledger position `position` (at
/// `observedAt`), coming back to `limit` by `fullAt` (continuously or all at
/// once), less what was sent since.
///
/// Evidence lapses: the view is dropped at ``lapsesAt``, the server's named reset
/// or one shortest window (of those the deployment enforces) after the request
/// it answers, whichever comes first; headers on their own count from the
/// newest request sent. No view outlives the shortest window after the last
/// request sent, so a misread header can idle a deployment for one short window
/// at most; only a 429 blocks for longer.
struct ServerBudget: Hashable, Sendable {
    let observedAt: Int64
    /// The ledger position of the request whose answer carried the headers
    /// (`Int.max` for headers on their own): newer evidence replaces older, never the reverse.
    let position: Int
    let remaining: Int
    let limit: Int
    let fullAt: Int64
    /// When the evidence stops counting: no later than `fullAt`, nor than one shortest window after the request it answers.
    let lapsesAt: Int64
    let refill: RateLimitObservation.Refill
    var spent = 0

    /// The longest reset the scheduler believes; a larger or absent value means a one-minute refill.
    static let longestReset = Duration.seconds(120).nanoseconds

    /// A budget to adopt when the server's remaining count is below the ledger's own
    /// as of the same request, else `nil`: `remaining` as of `observedAt`, less `spent`
    /// sent since, until the reset (`resetIn` nanoseconds after `observedAt`) or `lapsesBy`, whichever is first (if that is still ahead at `now`).
    static func adopting(
        remaining: Int, limit: Int, resetIn: Int64?, refill: RateLimitObservation.Refill,
        ownRemaining: Int, spent: Int, observedAt: Int64, position: Int, lapsesBy: Int64, now: Int64
    ) -> ServerBudget? {
        guard remaining >= 0, limit > 0, remaining < ownRemaining, remaining < limit else { return nil }
        let minute = Duration.seconds(60).nanoseconds
        var reset = resetIn ?? -1
        if reset < 0 || reset > longestReset {
            reset = refill == .atReset ? minute : Int64(Double(minute) * Double(limit - remaining) / Double(limit))
        }
        let fullAt = observedAt.addingSaturating(max(1, reset))
        let lapsesAt = min(fullAt, lapsesBy)
        guard lapsesAt > now else { return nil }
        return ServerBudget(observedAt: observedAt, position: position, remaining: remaining, limit: limit, fullAt: fullAt,
                            lapsesAt: lapsesAt, refill: refill, spent: spent)
    }

    /// What the server had left at `now` by its own account, before what was sent since.
    func available(at now: Int64) -> Int {
        guard now < fullAt else { return limit }
        guard refill == .continuous else { return remaining }
        let elapsed = Double(max(0, now - observedAt)) / Double(fullAt - observedAt)
        return remaining + Int(Double(limit - remaining) * elapsed)
    }

    func admits(_ charge: Int, at now: Int64) -> Bool {
        spent.addingSaturating(charge) <= available(at: now)
    }

    /// When a charge fits, by this view; never after it lapses.
    func earliest(admitting charge: Int, now: Int64) -> Int64 {
        let needed = spent.addingSaturating(charge) - remaining
        guard needed > 0 else { return now }
        guard refill == .continuous, needed < limit - remaining else { return lapsesAt }
        let fraction = Double(needed) / Double(limit - remaining)
        // Truncation plus one nanosecond rounds up, so the budget has refilled by then.
        let at = observedAt + Int64(Double(fullAt - observedAt) * fraction) + 1
        return min(lapsesAt, max(now, at))
    }

    /// Whether the server contradicted this view: it said it had nothing left
    /// (and had not refilled by `at`), yet it admitted the later request at
    /// `position`, whose headers show no more room than before (no sign of a reset).
    func isRefuted(byAdmissionAt position: Int, at: Int64, remainingAfter: Int?) -> Bool {
        guard position > self.position, available(at: at) <= 0, let after = remainingAfter else { return false }
        return after <= remaining
    }
}
