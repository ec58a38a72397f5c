/// The waiting jobs by size, each size class in submission order, so that the dispatch pass
/// finds the first job small enough to backfill a room without walking the jobs too large for
/// it: a room of r tokens looks at the classes that can hold r or less and, in each, at the
/// first job after a given one (searched from the front).
///
/// A class holds charges from a power of two, or one and a half powers of two, up to the next:
/// in the room's own class the jobs too large for it are stepped over, up to the last job the
/// pass may take.
struct WaitingBySize: Sendable {
    struct Entry: Sendable, BitwiseCopyable {
        var sequence: UInt64
        var id: JobID
        var charge: Int
    }

    /// Each class's jobs in submission order: a ring, as jobs mostly leave from the front and join at the back.
    private var classes = [Ring<Entry>](repeating: Ring(), count: 128)

    /// The class of a charge: twice its binary logarithm, plus one in the upper half of its power of two.
    static func sizeClass(_ charge: Int) -> Int {
        guard charge > 1 else { return 0 }
        let log = Int.bitWidth - 1 - charge.leadingZeroBitCount
        return 2 * log + (charge >> (log - 1) & 1)
    }

    /// The least charge of class `k`.
    static func smallest(ofClass k: Int) -> Int {
        let log = k / 2
        guard log > 0 else { return k == 0 ? 0 : 2 }
        return 1 << log + (k % 2) << (log - 1)
    }

    /// Adds a job of `charge` submitted `sequence`-th.
    mutating func insert(_ id: JobID, sequence: UInt64, charge: Int) {
        let k = Self.sizeClass(charge)
        if let last = classes[k].last, last.sequence > sequence {
            classes[k].insert(Entry(sequence: sequence, id: id, charge: charge), atOffset: Self.firstIndex(in: classes[k], notBefore: sequence))
        } else {
            classes[k].append(Entry(sequence: sequence, id: id, charge: charge))
        }
    }

    /// Takes out the job of `charge` submitted `sequence`-th, if it is here.
    mutating func remove(sequence: UInt64, charge: Int) {
        let k = Self.sizeClass(charge)
        let index = Self.firstIndex(in: classes[k], notBefore: sequence)
        if index < classes[k].count && classes[k][offset: index].sequence == sequence { classes[k].remove(atOffset: index) }
    }

    /// The first job submitted after `sequence` (`nil`: from the first) and no later than `last`
    /// whose charge is `room` or less, if any.
    func first(after sequence: UInt64?, through last: UInt64 = .max, fitting room: Int) -> Entry? {
        var best: Entry?
        var k = 0
        while k < classes.count && Self.smallest(ofClass: k) <= room {
            let entries = classes[k]
            k += 1
            guard !entries.isEmpty else { continue }
            let bound = min(last, best?.sequence ?? .max)
            var index = sequence.map { Self.firstIndex(in: entries, notBefore: $0 + 1) } ?? 0
            while index < entries.count && entries[offset: index].sequence <= bound && entries[offset: index].charge > room { index += 1 }
            if index < entries.count && entries[offset: index].sequence <= bound { best = entries[offset: index] }
        }
        return best
    }

    /// The index of the first entry of `entries` submitted `sequence`-th or later.
    private static func firstIndex(in entries: Ring<Entry>, notBefore sequence: UInt64) -> Int {
        entries.firstOffset { $0.sequence >= sequence }
    }
}
