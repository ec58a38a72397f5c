import HeadroomCore
import Testing
@testable import HeadroomSimulator

@Suite("Event queue")
struct EventQueueTests {
    /// Pushes and pops interleaved at random, with many events at the same
    /// instant; every pop must give the earliest event, the first scheduled among equals.
    @Test("Events come out by time, and in the order they were scheduled at the same instant",
          arguments: [1, 2, 7, 200])
    func popsInTimeThenScheduleOrder(distinctTimes: Int) {
        var queue = EventQueue()
        var random = SeededRandom(seed: UInt64(distinctTimes))
        var pending: [(time: Int64, sequence: UInt64)] = []
        var popped = 0
        var now: Int64 = 0
        /// Pops one event and checks it is the earliest pending, the first scheduled among equals.
        func popExpected() {
            let expected = pending.min { ($0.time, $0.sequence) < ($1.time, $1.sequence) }!
            let event = queue.pop()
            #expect(event?.time == expected.time && event?.sequence == expected.sequence, "pop \(popped)")
            pending.removeAll { $0.sequence == expected.sequence }
            now = expected.time
            popped += 1
        }
        for step in 0 ..< 5_000 {
            if pending.isEmpty || random.next() % 5 < 3 {
                // Never in the past, as in a simulation; often at an instant already pending.
                let time = now + Int64(random.next() % UInt64(distinctTimes))
                pending.append((time, queue.pushed))
                queue.push(time, .response, step)
            } else {
                popExpected()
            }
        }
        #expect(popped > 1_000)
        while !pending.isEmpty { popExpected() }
        #expect(queue.pop() == nil)
    }

    @Test("The next arrival waits beside the heap and still comes out in order")
    func arrivalBesideTheHeap() {
        var queue = EventQueue()
        queue.push(20, .response, 1)
        queue.push(10, .arrival)
        queue.push(10, .wake)
        queue.push(5, .response, 2)
        let order = [queue.pop(), queue.pop(), queue.pop(), queue.pop(), queue.pop()].map { $0.map { ($0.time, $0.kind) } }
        #expect(order[0]! == (5, .response))
        #expect(order[1]! == (10, .arrival))
        #expect(order[2]! == (10, .wake))
        #expect(order[3]! == (20, .response))
        #expect(order[4] == nil)
    }
}
