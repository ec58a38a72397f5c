import Foundation
import HeadroomCore

/// Reads a workload ahead on a thread of its own, a batch at a time, so that
/// parsing a trace or generating requests overlaps the simulation that
/// consumes them. Requests, and an error if the source throws one, come out
/// exactly as the source gives them, so reports do not change.
///
/// ```swift
/// var workload = PrefetchingWorkload(try AzureTraceReader(path: "trace.csv"))
/// let report = try simulation.run(&workload, strategy: .headroom())
/// ```
///
/// It is a class: copies share one stream. Releasing it before the end stops
/// the reading thread.
public final class PrefetchingWorkload: WorkloadSource {
    /// Requests a batch holds.
    public let batchSize: Int
    private let channel: Channel
    private var batch: [SimulatedRequest] = []
    private var position = 0
    /// How the stream ended, once the last batch has been taken.
    private var end: Batch.End?

    /// Starts reading `source` ahead, at most four batches of `batchSize` requests.
    public init<Source: WorkloadSource>(_ source: sending Source, batchSize: Int = 4_096) {
        let batchSize = max(1, batchSize)
        let channel = Channel(depth: 4)
        self.batchSize = batchSize
        self.channel = channel
        let reader = Reader(source: source)
        let thread = Thread {
            while channel.put(reader.batch(of: batchSize)) {}
        }
        thread.name = "headroom-workload"
        thread.start()
    }

    deinit {
        channel.cancel()
    }

    public func next() throws(HeadroomError) -> SimulatedRequest? {
        guard try fillBatch() else { return nil }
        position += 1
        return batch[position - 1]
    }

    /// Swaps the next request in: its strings are neither retained nor released.
    public func next(into request: inout SimulatedRequest) throws(HeadroomError) -> Bool {
        guard try fillBatch() else { return false }
        position += 1
        swap(&request, &batch[position - 1])
        return true
    }

    /// Takes the next batch if this one is used up; `false` at the end of the stream.
    private func fillBatch() throws(HeadroomError) -> Bool {
        while position == batch.count {
            switch end {
            case .finished: return false
            case .failed(let error): throw error
            case nil:
                let next = channel.take()
                batch = next.requests
                position = 0
                end = next.end
            }
        }
        return true
    }

    /// Some requests, and how the stream ended if it did after them.
    private struct Batch: Sendable {
        enum End: Sendable {
            case finished
            case failed(HeadroomError)
        }

        var requests: [SimulatedRequest]
        var end: End?
    }

    /// The source, moved to the reading thread: only that thread touches it.
    private final class Reader: @unchecked Sendable {
        private var source: any WorkloadSource

        init(source: sending some WorkloadSource) {
            self.source = source
        }

        func batch(of size: Int) -> Batch {
            var requests: [SimulatedRequest] = []
            requests.reserveCapacity(size)
            var request = SimulatedRequest(arrival: .zero, promptTokens: 0, maxTokens: 0, outputTokens: 0)
            do throws(HeadroomError) {
                while requests.count < size {
                    guard try source.next(into: &request) else { return Batch(requests: requests, end: .finished) }
                    requests.append(request)
                }
            } catch {
                return Batch(requests: requests, end: .failed(error))
            }
            return Batch(requests: requests, end: nil)
        }
    }

    /// A bounded queue of batches between the reading thread and the consumer.
    private final class Channel: @unchecked Sendable {
        // Every field below is read and written only with `condition` locked.
        private let condition = NSCondition()
        private let depth: Int
        private var batches: [Batch] = []
        private var cancelled = false

        init(depth: Int) {
            self.depth = depth
        }

        /// Queues `batch`, waiting while the queue is full; `false` when the
        /// reader should stop: the stream ended with it, or the consumer is gone.
        func put(_ batch: Batch) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while batches.count >= depth && !cancelled { condition.wait() }
            guard !cancelled else { return false }
            batches.append(batch)
            condition.broadcast()
            return batch.end == nil
        }

        /// The oldest batch, waiting for one if none is ready.
        func take() -> Batch {
            condition.lock()
            defer { condition.unlock() }
            while batches.isEmpty { condition.wait() }
            condition.broadcast()
            return batches.removeFirst()
        }

        /// Tells the reader to stop.
        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
