import Foundation
import HeadroomAdapters
import HeadroomCore

extension CachingEngine {
    /// A streamed answer and where it came from.
    public struct StreamReply: Sendable {
        /// The parts, as ``HeadroomEngine/stream(_:priority:deadline:)`` gives them; a hit's are the
        /// stored events, replayed.
        public var parts: AsyncThrowingStream<APIStreamPart, any Error>
        /// Where it came from.
        public var status: CacheStatus
        /// A hit's age.
        public var age: Duration?
    }

    /// Streams `request` as ``HeadroomEngine/stream(_:priority:deadline:)`` does, unless the cache
    /// answers it. A streamed answer is stored once it is complete; a follower of an identical
    /// stream in flight is handed the whole stream when it ends.
    public func stream(_ request: APIRequest, priority: Int = 0, deadline: Duration? = nil,
                       options: CacheRequestOptions = CacheRequestOptions()) async -> StreamReply {
        let model = request.model ?? ""
        let upstream = { await engine.stream(request, priority: priority, deadline: deadline) }
        guard let key = key(for: request, options) else {
            statistics.count { $0.bypasses += 1 }
            return StreamReply(parts: await upstream(), status: .bypass)
        }
        do {
            switch try await resolve(key, options.directives, usable: { if case .events(let events) = $0.answer { events } else { nil } }) {
            case .hit(let entry, let events, let age, let coalesced):
                statistics.served(entry, model: model, coalesced: coalesced)
                return StreamReply(parts: Self.replay(events, entry), status: .hit, age: age)
            case .fetch(let leading):
                statistics.count { $0.misses += 1 }
                return StreamReply(parts: recording(await upstream(), for: key, leading: leading), status: .miss)
            }
        } catch {
            let (parts, continuation) = AsyncThrowingStream<APIStreamPart, any Error>.makeStream()
            continuation.finish(throwing: error)
            return StreamReply(parts: parts, status: .miss)
        }
    }

    /// Passes `parts` on as they come, keeping the events (up to the largest entry), and once the
    /// stream has ended well, stores them; as leader, tells the followers how it ended.
    private func recording(_ parts: AsyncThrowingStream<APIStreamPart, any Error>, for key: CacheKey,
                           leading: Bool) -> AsyncThrowingStream<APIStreamPart, any Error> {
        let (relayed, continuation) = AsyncThrowingStream<APIStreamPart, any Error>.makeStream()
        let pump = Task {
            var events: [[UInt8]] = []
            var bytes = 0
            var head: AnswerHead?
            var usage: Usage?
            do {
                for try await part in parts {
                    switch part {
                    case .head(let answered): head = answered
                    case .event(let data):
                        bytes += data.count
                        if bytes <= limits.maxEntryBytes { events.append(data) }
                    case .usage(let used): usage = used
                    }
                    continuation.yield(part)
                }
                try Task.checkCancellation()
            } catch {
                continuation.finish(throwing: error)
                if leading {
                    if error is CancellationError { await flights.abandon(key) } else { await flights.land(key, with: nil) }
                }
                return
            }
            continuation.finish()
            guard let head, let usage else {
                if leading { await flights.land(key, with: nil) }
                return
            }
            let entry = CacheEntry(answer: .events(events), usage: usage, deployment: head.deployment, storedAt: now())
            if bytes <= limits.maxEntryBytes {
                await keep(entry, for: key)
                if leading { await flights.land(key, with: entry) }
            } else {
                statistics.count { $0.tooLarge += 1 }
                if leading { await flights.land(key, with: nil) }
            }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { pump.cancel() }
        }
        return relayed
    }

    /// A stored stream, replayed: its head (from the deployment that first gave it), its events, its usage.
    static func replay(_ events: [[UInt8]], _ entry: CacheEntry) -> AsyncThrowingStream<APIStreamPart, any Error> {
        let (parts, continuation) = AsyncThrowingStream<APIStreamPart, any Error>.makeStream()
        continuation.yield(.head(AnswerHead(deployment: entry.deployment, attempt: 0, queuedFor: .zero, headers: [:])))
        for event in events { continuation.yield(.event(event)) }
        continuation.yield(.usage(entry.usage))
        continuation.finish()
        return parts
    }
}
