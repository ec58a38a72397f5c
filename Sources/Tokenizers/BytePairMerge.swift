import HeadroomCore

/// Splits one pre-tokenized piece into tokens: a piece that is itself a token
/// is one; otherwise the adjacent pair whose joined bytes have the lowest rank
/// is merged, leftmost on ties, until no pair joins into a token.
///
/// Two ways to the same merges. A short piece rescans its few pairs after each
/// merge (quadratic, and fastest when the piece is a word). A long one keeps
/// its parts in a linked list and its candidate merges in a heap ordered by
/// rank then position, so each merge costs a logarithm: 1 MB of one repeated
/// letter, of spaces or of CJK is O(n log n), not O(n²).
struct BytePairMerge {
    /// The parts' ranks and the rank of joining each part with the next, reused from piece to piece.
    private var parts: [Int] = []
    private var ranks: [Int] = []
    /// The long way's parts, by the byte offset where each starts: the next part's start, the
    /// previous part's, and the rank of joining it with the next (``none``: no token).
    private var next: [Int32] = []
    private var previous: [Int32] = []
    private var joinRank: [Int32] = []
    /// The rank of the part that starts at each offset (while it is a part's start).
    private var part: [Int32] = []
    /// The candidate merges, empty between pieces (kept for its storage).
    private var heap = MinHeap<Candidate>()

    static let none = Int.max
    /// Pieces longer than this many bytes take the long way (`Int.max`: never, for tests).
    var longPiece: Int

    /// A merge that takes the long way for pieces over `longPiece` bytes.
    init(longPiece: Int = 96) {
        self.longPiece = longPiece
    }

    /// Calls `emit` with each token's rank, in order; returns how many. Parts are always tokens,
    /// so whether two join is asked of `merges` by their ranks.
    @discardableResult
    mutating func encode(_ piece: UnsafeBufferPointer<UInt8>, _ table: TokenTable, _ merges: MergeTable, emit: (Int) -> Void) -> Int {
        if let rank = table.rankOf(piece) {
            emit(rank)
            return 1
        }
        return piece.count > longPiece ? encodeLong(piece, table, merges, emit: emit) : encodeShort(piece, table, merges, emit: emit)
    }

    private mutating func encodeShort(_ piece: UnsafeBufferPointer<UInt8>, _ table: TokenTable, _ merges: MergeTable,
                                      emit: (Int) -> Void) -> Int {
        let count = piece.count
        parts.removeAll(keepingCapacity: true)
        ranks.removeAll(keepingCapacity: true)
        for byte in piece { parts.append(table.rank(ofByte: byte)) }
        for i in 0 ..< count - 1 { ranks.append(merges.joined(parts[i], parts[i + 1]) ?? Self.none) }
        ranks.append(Self.none)
        while true {
            var best = Self.none, at = -1
            for i in 0 ..< ranks.count - 1 where ranks[i] < best {
                best = ranks[i]
                at = i
            }
            if at < 0 { break }
            // Join part `at` with `at + 1`, then re-rank the joins on either side.
            parts[at] = best
            parts.remove(at: at + 1)
            ranks.remove(at: at + 1)
            ranks[at] = at + 1 < parts.count ? merges.joined(parts[at], parts[at + 1]) ?? Self.none : Self.none
            if at > 0 { ranks[at - 1] = merges.joined(parts[at - 1], parts[at]) ?? Self.none }
        }
        for part in parts { emit(part) }
        return parts.count
    }

    /// A candidate merge: join the part starting at `at` with the next, whose joined bytes have `rank`.
    private struct Candidate: Comparable {
        var rank: Int32
        var at: Int32

        static func < (lhs: Candidate, rhs: Candidate) -> Bool {
            lhs.rank != rhs.rank ? lhs.rank < rhs.rank : lhs.at < rhs.at
        }
    }

    private mutating func encodeLong(_ piece: UnsafeBufferPointer<UInt8>, _ table: TokenTable, _ merges: MergeTable,
                                     emit: (Int) -> Void) -> Int {
        let count = piece.count
        next.removeAll(keepingCapacity: true)
        next.append(contentsOf: 1 ... Int32(count))
        previous.removeAll(keepingCapacity: true)
        previous.append(contentsOf: -1 ..< Int32(count - 1))
        part.removeAll(keepingCapacity: true)
        for byte in piece { part.append(Int32(table.rank(ofByte: byte))) }
        joinRank.removeAll(keepingCapacity: true)
        joinRank.append(contentsOf: repeatElement(-1, count: count))
        /// The rank of joining the part at `at` with the next (-1: none, or no next).
        func join(_ at: Int) -> Int32 {
            let following = Int(next[at])
            guard following < count else { return -1 }
            return merges.joined(Int(part[at]), Int(part[following])).map(Int32.init) ?? -1
        }
        for at in 0 ..< count - 1 {
            joinRank[at] = join(at)
            if joinRank[at] >= 0 { heap.push(Candidate(rank: joinRank[at], at: Int32(at))) }
        }
        while let best = heap.pop() {
            let at = Int(best.at)
            // Stale: the part is gone (joined into the one before) or its join changed since. A part
            // only grows, and ranks name distinct byte strings, so an equal rank is the same join.
            guard joinRank[at] == best.rank else { continue }
            let joined = Int(next[at])
            let after = Int(next[joined])
            part[at] = best.rank
            next[at] = Int32(after)
            if after < count { previous[after] = Int32(at) }
            joinRank[joined] = -1
            joinRank[at] = join(at)
            if joinRank[at] >= 0 { heap.push(Candidate(rank: joinRank[at], at: Int32(at))) }
            let before = Int(previous[at])
            if before >= 0 {
                joinRank[before] = join(before)
                if joinRank[before] >= 0 { heap.push(Candidate(rank: joinRank[before], at: Int32(before))) }
            }
        }
        var at = 0, tokens = 0
        while at < count {
            emit(Int(part[at]))
            tokens += 1
            at = Int(next[at])
        }
        return tokens
    }
}
