/// The waits a capacity ledger told most recently, by charge, until it next
/// changes. The dispatch pass judges the same blocked jobs again at every
/// event, and a ledger that has not changed gives them the same answer; this
/// saves finding it again.
struct WaitMemo: Sendable {
    private struct Entry: Sendable {
        var tokens = -1
        var until = Int64.min
        var generation = -1
    }

    /// Enough for a pass in which each of eight blocked jobs claims one deployment.
    private static let capacity = 8
    private var entries = [Entry](repeating: Entry(), count: capacity)
    /// Entries of an older generation are forgotten.
    private var generation = 0
    private var next = 0

    /// The instant a request charged `tokens` was told to wait until, if that still holds at `now`.
    ///
    /// Newest first, as the job judged again is most often the one judged last; and
    /// entries are written in order, so the first of an older generation ends the search.
    /// (At most one entry holds for a charge: another is written only once it has lapsed.)
    func wait(tokens: Int, now: Int64) -> Int64? {
        var index = next
        for _ in 0 ..< Self.capacity {
            index = index == 0 ? Self.capacity - 1 : index - 1
            guard entries[index].generation == generation else { return nil }
            if entries[index].tokens == tokens && now < entries[index].until { return entries[index].until }
        }
        return nil
    }

    /// Notes that a request charged `tokens` must wait until `until`, replacing the oldest entry.
    mutating func remember(tokens: Int, until: Int64) {
        entries[next] = Entry(tokens: tokens, until: until, generation: generation)
        next = next == Self.capacity - 1 ? 0 : next + 1
    }

    /// Forgets every entry: the ledger changed.
    mutating func forget() {
        generation &+= 1
    }
}
