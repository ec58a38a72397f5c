import HeadroomCore

/// Answers to requests that accept batch, kept under their callers' request ids (idempotency keys)
/// for a day: every caller who comes back with a key gets the answer its request had, whether or
/// not an earlier caller took it (a caller whose connection died unnoticed took it and lost it).
///
/// Bounded by ``maxKept`` answers and a number of bytes: past either, answers a caller took go
/// first, oldest first, then answers no caller has taken yet, oldest first.
struct BatchMailbox: Sendable {
    private struct Kept {
        let result: Result<APIAnswer, HeadroomError>
        let at: Instant
        let bytes: Int
        /// The place in ``untaken`` or ``taken`` that stands for it (earlier places of the key are stale).
        var stamp: UInt64
        var taken: Bool
    }

    /// A key's place in line to be dropped.
    private struct Place {
        let key: String
        let stamp: UInt64
    }

    private var kept: [String: Kept] = [:]
    /// Keys of answers no caller has taken, oldest first, and of answers taken, taken longest ago first.
    private var untaken = Line()
    private var taken = Line()
    private var stamps: UInt64 = 0
    /// The bytes the kept answers hold.
    private(set) var bytes = 0
    /// The most bytes the kept answers may hold.
    let maxBytes: Int

    /// The most answers kept: at the most a large batch file's.
    static let maxKept = 100_000
    /// How long an answer is kept.
    static let keptFor: Duration = .seconds(86_400)

    /// A mailbox that keeps answers up to `maxBytes` bytes in all.
    init(maxBytes: Int) {
        self.maxBytes = max(0, maxBytes)
    }

    var count: Int { kept.count }

    /// Keeps `result` for callers of request `key`, as taken by one (`taken`) or not yet.
    mutating func keep(_ result: Result<APIAnswer, HeadroomError>, for key: String, taken isTaken: Bool, now: Instant) {
        drop(key)
        let size = Self.size(of: result, key: key)
        guard size <= maxBytes else { return }
        stamps += 1
        kept[key] = Kept(result: result, at: now, bytes: size, stamp: stamps, taken: isTaken)
        bytes += size
        if isTaken { taken.append(Place(key: key, stamp: stamps)) } else { untaken.append(Place(key: key, stamp: stamps)) }
        while kept.count > Self.maxKept || bytes > maxBytes, let oldest = taken.popFirst() ?? untaken.popFirst() {
            if kept[oldest.key]?.stamp == oldest.stamp { drop(oldest.key) }
        }
    }

    /// The answer kept for request `key`, marked as taken; `nil` when none is, or it is older than ``keptFor``.
    mutating func take(_ key: String, now: Instant) -> Result<APIAnswer, HeadroomError>? {
        guard let entry = kept[key] else { return nil }
        guard now - entry.at <= Self.keptFor else {
            drop(key)
            return nil
        }
        if !entry.taken {
            stamps += 1
            kept[key]?.taken = true
            kept[key]?.stamp = stamps
            taken.append(Place(key: key, stamp: stamps))
        }
        return entry.result
    }

    private mutating func drop(_ key: String) {
        guard let entry = kept.removeValue(forKey: key) else { return }
        bytes -= entry.bytes
        // Its places in line go stale; when stale places outnumber the answers, the lines are rebuilt.
        if untaken.count + taken.count > 2 * kept.count + 64 {
            let kept = kept
            untaken.keep(where: { kept[$0.key]?.stamp == $0.stamp })
            taken.keep(where: { kept[$0.key]?.stamp == $0.stamp })
        }
    }

    /// What an answer holds in memory, roughly: its body and header fields, or its error's message, and its key.
    private static func size(of result: Result<APIAnswer, HeadroomError>, key: String) -> Int {
        let held = switch result {
        case .success(let answer): answer.body.count + answer.head.headers.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        case .failure(let error): error.message.utf8.count
        }
        return held + key.utf8.count + 64
    }

    /// A first-in, first-out line of places: an array read from a moving front.
    private struct Line: Sendable {
        private var places: [Place] = []
        private var front = 0

        var count: Int { places.count - front }

        mutating func append(_ place: Place) {
            places.append(place)
        }

        mutating func popFirst() -> Place? {
            guard front < places.count else { return nil }
            defer {
                front += 1
                if front > 64, front * 2 > places.count {
                    places.removeFirst(front)
                    front = 0
                }
            }
            return places[front]
        }

        /// Keeps only the places that `isLive`, in order.
        mutating func keep(where isLive: (Place) -> Bool) {
            places = places[front...].filter(isLive)
            front = 0
        }
    }
}
