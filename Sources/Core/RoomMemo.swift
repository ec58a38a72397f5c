/// The backfill room a capacity ledger told most recently, for one claimant, until the
/// ledger next changes or time moves it (see ``CapacityLedger/backfillRoom(now:besides:at:)``).
/// The dispatch pass claims the same deployments for the same blocked jobs at every event,
/// and a ledger that has not changed gives the same room; this saves finding it again.
struct RoomMemo: Sendable {
    private var claimantTokens = -1
    private var claimantAt = Int64.min
    private var room = -1
    /// The room holds before this instant (`Int64.min`: nothing remembered).
    private var until = Int64.min

    /// The room told for a claimant charged `tokens` at `instant`, if it still holds at `now`.
    func room(besides tokens: Int, at instant: Int64, now: Int64) -> Int? {
        now < until && tokens == claimantTokens && instant == claimantAt ? room : nil
    }

    /// Notes the room for a claimant charged `tokens` at `instant`, holding before `until`.
    mutating func remember(_ room: Int, besides tokens: Int, at instant: Int64, until: Int64) {
        self = RoomMemo(claimantTokens: tokens, claimantAt: instant, room: room, until: until)
    }

    /// Forgets the room: the ledger changed.
    mutating func forget() {
        until = .min
    }
}
