import HeadroomCore
import HeadroomPolicies
import Testing

func queued(_ n: UInt64, priority: Int = 0, at seconds: Double = 0, tokens: Int = 100) -> QueuedJob {
    QueuedJob(id: JobID(rawValue: n), priority: priority, arrival: .seconds(seconds), sequence: n, tokens: tokens)
}

func order<Q: QueuePolicy>(_ queue: Q) -> [UInt64] {
    var result: [UInt64] = []
    while let job = queue.job(at: result.count) { result.append(job.sequence) }
    return result
}

@Suite("FIFO queue")
struct FIFOQueueTests {
    @Test("Jobs go in submission order, and a retried job returns to its place")
    func submissionOrder() {
        var queue = FIFOQueue()
        for n: UInt64 in [1, 2, 4, 5] { queue.enqueue(queued(n)) }
        queue.enqueue(queued(3))
        #expect(order(queue) == [1, 2, 3, 4, 5])
        #expect(queue.remove(at: 0).sequence == 1)
        #expect(queue.remove(JobID(rawValue: 4))?.sequence == 4)
        #expect(queue.remove(JobID(rawValue: 4)) == nil)
        #expect(order(queue) == [2, 3, 5] && queue.count == 3)
    }

    @Test("Strict FIFO never lets a job pass")
    func strictNeverPasses() {
        let queue = FIFOQueue()
        #expect(!queue.allowsPassing)
        #expect(!queue.mayPass(queued(2, tokens: 10), blocked: queued(1, tokens: 1_000), timesPassed: 0))
    }

    @Test("Lenient FIFO lets only smaller jobs pass, and only so many times")
    func lenientPassing() {
        let queue = FIFOQueue(smallerJobsMayPass: 2)
        let head = queued(1, tokens: 1_000)
        #expect(queue.allowsPassing)
        #expect(queue.mayPass(queued(2, tokens: 999), blocked: head, timesPassed: 1))
        #expect(!queue.mayPass(queued(2, tokens: 1_000), blocked: head, timesPassed: 0))
        #expect(!queue.mayPass(queued(2, tokens: 10), blocked: head, timesPassed: 2))
    }
}

@Suite("Priority queue")
struct PriorityQueueTests {
    @Test("Strict priority: higher first, FIFO among equals")
    func strictPriority() {
        var queue = PriorityQueue(aging: nil)
        queue.enqueue(queued(1, priority: 0))
        queue.enqueue(queued(2, priority: 2))
        queue.enqueue(queued(3, priority: 1))
        queue.enqueue(queued(4, priority: 2))
        queue.enqueue(queued(5, priority: 0))
        #expect(order(queue) == [2, 4, 3, 1, 5])
    }

    @Test("Aging: a job gains a level for every aging interval it has waited")
    func aging() {
        var queue = PriorityQueue(aging: .seconds(60))
        queue.enqueue(queued(1, priority: 0, at: 0))
        queue.enqueue(queued(2, priority: 0, at: 20))
        queue.enqueue(queued(3, priority: 1, at: 50))
        queue.enqueue(queued(4, priority: 1, at: 75))
        queue.enqueue(queued(5, priority: 3, at: 200))
        // Keys (arrival - priority x 60 s): 0, 20, -10, 15, 20; ties go by submission.
        #expect(order(queue) == [3, 1, 4, 2, 5])
    }

    @Test("Removing by position and by id keeps the merged order")
    func removal() {
        var queue = PriorityQueue(aging: nil)
        for (n, p) in [(1, 0), (2, 1), (3, 0), (4, 1)] { queue.enqueue(queued(UInt64(n), priority: p)) }
        #expect(queue.remove(at: 1).sequence == 4)
        #expect(queue.remove(JobID(rawValue: 1))?.sequence == 1)
        #expect(order(queue) == [2, 3])
        #expect(queue.remove(at: 0).sequence == 2)
        #expect(order(queue) == [3] && queue.count == 1)
    }
}
