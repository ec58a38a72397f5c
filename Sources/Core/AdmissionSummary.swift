/// A ledger's state condensed to what judging one request needs in the common
/// case: every window has a request to spare, no retry-after blocks, the
/// server's view is not in force and nothing falls due. The ledger rebuilds it
/// after every change, so the dispatch pass judges a deployment by reading a
/// few fields in place instead of walking its windows.
///
/// It covers ledgers of up to two windows (the minute and one sub-window, as
/// every provider default has); others are always judged in full.
struct AdmissionSummary: Sendable {
    /// The summary holds for `validFrom <= now < validUntil`; empty when it never holds.
    var validFrom: Int64 = .max
    var validUntil: Int64 = .min
    /// The largest charge that every window admits now.
    var tokenSlack = 0
    /// The smallest share of a window's request limit left after one more request, and 1 at most.
    var requestShare = 1.0
    /// Each window's token room and the reciprocal of its token limit (one window is listed twice).
    var room0 = 0, reciprocal0 = 1.0
    var room1 = 0, reciprocal1 = 1.0

    /// The share of the tightest limit left after a request charged `tokens`,
    /// or `nil` when the summary cannot say (the ledger must judge in full).
    /// Equal, bit for bit, to what judging in full finds.
    @inline(__always)
    func headroom(tokens: Int, now: Int64) -> Double? {
        guard now >= validFrom, now < validUntil, tokens <= tokenSlack else { return nil }
        return max(0, min(requestShare, Double(room0 - tokens) * reciprocal0, Double(room1 - tokens) * reciprocal1))
    }
}
