@testable import HeadroomCore
import Testing

@Suite("Waiting jobs by size")
struct WaitingBySizeTests {
    @Test("A ring finds the first element past a threshold as a scan from the front does, across its wrap")
    func firstOffsetAgreesWithAScan() {
        var random = SeededRandom(seed: 7)
        for _ in 0 ..< 300 {
            var ring = Ring<Int>()
            var value = 0
            // Popping from the front moves the start, so the elements wrap around the slots.
            for _ in 0 ..< Int(random.next() % 20) { ring.append(0) }
            ring.removeFirst(upTo: ring.endIndex)
            for _ in 0 ..< Int(random.next() % 70) {
                value += Int(random.next() % 3)
                ring.append(value)
            }
            for threshold in -1 ... value + 1 {
                let scanned = (0 ..< ring.count).first { ring[offset: $0] >= threshold } ?? ring.count
                #expect(ring.firstOffset { $0 >= threshold } == scanned, "threshold \(threshold) in \(ring.count)")
            }
        }
    }

    @Test("The first job after a given one, up to a last one, that a room holds is the one a walk over every waiting job finds")
    func firstFittingAgreesWithAWalk() {
        var random = SeededRandom(seed: 13)
        var index = WaitingBySize()
        var waiting: [(sequence: UInt64, charge: Int)] = []
        var next: UInt64 = 0
        for step in 0 ..< 6_000 {
            switch random.next() % 5 {
            case 0 ..< 2:
                // Mostly a newcomer; now and then a retried job going back to an earlier place.
                let sequence = random.next() % 8 == 0 && next > 0 ? random.next() % next : next
                next += 1
                guard !waiting.contains(where: { $0.sequence == sequence }) else { continue }
                let charge = 1 + Int(random.next() % 40_000)
                index.insert(JobID(slot: Int(sequence), generation: 0), sequence: sequence, charge: charge)
                waiting.append((sequence, charge))
            case 2 where !waiting.isEmpty:
                // Mostly the oldest leaves.
                let k = random.next() % 3 == 0 ? Int(random.next() % UInt64(waiting.count)) : waiting.indices.min { waiting[$0].sequence < waiting[$1].sequence }!
                index.remove(sequence: waiting[k].sequence, charge: waiting[k].charge)
                waiting.remove(at: k)
            default:
                let room = Int(random.next() % 50_000)
                let after: UInt64? = random.next() % 4 == 0 || next == 0 ? nil : random.next() % next
                let last: UInt64 = random.next() % 3 == 0 ? .max : (after ?? 0) + random.next() % 200
                let walked = waiting
                    .filter { job in job.charge <= room && after.map { job.sequence > $0 } ?? true && job.sequence <= last }
                    .min { $0.sequence < $1.sequence }
                let found = index.first(after: after, through: last, fitting: room)
                #expect(found?.sequence == walked?.sequence && found?.charge == walked?.charge,
                        "step \(step): room \(room) after \(String(describing: after)) through \(last)")
            }
        }
    }

    @Test("A job is found for a room of its charge and not for one token less; jobs past the last one are not found")
    func roomAndLastBound() {
        var index = WaitingBySize()
        // 5,000 and 5,500 share a class; 5,500 waits first.
        index.insert(JobID(slot: 1, generation: 0), sequence: 1, charge: 5_500)
        index.insert(JobID(slot: 2, generation: 0), sequence: 2, charge: 5_000)
        #expect(index.first(after: nil, fitting: 5_499)?.sequence == 2)
        #expect(index.first(after: nil, fitting: 5_500)?.sequence == 1)
        #expect(index.first(after: nil, fitting: 4_999) == nil)
        #expect(index.first(after: nil, through: 1, fitting: 5_499) == nil)
        #expect(index.first(after: 1, through: 2, fitting: 5_500)?.sequence == 2)
    }

    @Test("A size class holds charges from its least up to the next class's", arguments: [1, 2, 3, 4, 5, 6, 7, 8, 100, 4_095, 4_096, 6_143, 6_144, 1 << 40])
    func classesBoundCharges(charge: Int) {
        let k = WaitingBySize.sizeClass(charge)
        #expect(WaitingBySize.smallest(ofClass: k) <= charge && charge < WaitingBySize.smallest(ofClass: k + 1))
    }
}
