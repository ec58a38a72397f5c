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

    @Test("The first job after a given one that a room may hold is the one a walk over every waiting job finds")
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
                let walked = waiting
                    .filter { job in WaitingBySize.smallest(ofClass: WaitingBySize.sizeClass(job.charge)) <= room && after.map { job.sequence > $0 } ?? true }
                    .map(\.sequence).min()
                #expect(index.first(after: after, fitting: room)?.sequence == walked, "step \(step): room \(room) after \(String(describing: after))")
            }
        }
    }

    @Test("A size class holds charges from its least up to the next class's", arguments: [1, 2, 3, 4, 5, 6, 7, 8, 100, 4_095, 4_096, 6_143, 6_144, 1 << 40])
    func classesBoundCharges(charge: Int) {
        let k = WaitingBySize.sizeClass(charge)
        #expect(WaitingBySize.smallest(ofClass: k) <= charge && charge < WaitingBySize.smallest(ofClass: k + 1))
    }
}
