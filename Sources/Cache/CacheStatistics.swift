import HeadroomCore
import Synchronization

/// What a cache has done, counted as it happens, for `/stats` and `/metrics`.
public final class CacheStatistics: Sendable {
    /// The counts at one moment.
    public struct Counts: Hashable, Sendable, Codable {
        /// Answers served from the store.
        public var hits = 0
        /// Requests that looked and found nothing usable, and went upstream.
        public var misses = 0
        /// Requests the cache did not apply to (the client's mode, `no-store`, a body it cannot key).
        public var bypasses = 0
        /// Requests handed the answer of an identical request in flight: hits too, without a lookup.
        public var coalesced = 0
        /// Answers stored.
        public var stored = 0
        /// Answers not stored: larger than an entry may be.
        public var tooLarge = 0
        /// Lookups and stores the store failed (each taken as a miss, or as not stored).
        public var storeErrors = 0
        /// Answer bytes served without going upstream.
        public var bytesSaved = 0
        /// Tokens not sent upstream, by model: what hits and coalesced requests would have cost.
        public var tokensSaved: [String: TokenCount] = [:]
    }

    /// Prompt and completion tokens.
    public struct TokenCount: Hashable, Sendable, Codable {
        /// Prompt tokens.
        public var prompt = 0
        /// Completion tokens.
        public var completion = 0

        /// A count.
        public init(prompt: Int = 0, completion: Int = 0) {
            self.prompt = prompt
            self.completion = completion
        }
    }

    private let counts = Mutex(Counts())

    /// Counts of nothing yet.
    public init() {}

    /// The counts now.
    public var snapshot: Counts { counts.withLock { $0 } }

    /// Counts a served answer: a hit, or a coalesced request.
    func served(_ entry: CacheEntry, model: String, coalesced: Bool) {
        counts.withLock { counts in
            if coalesced { counts.coalesced += 1 } else { counts.hits += 1 }
            counts.bytesSaved = counts.bytesSaved.addingReportingOverflow(entry.answerBytes).partialValue
            counts.tokensSaved[model, default: TokenCount()].prompt &+= entry.usage.promptTokens
            counts.tokensSaved[model, default: TokenCount()].completion &+= entry.usage.completionTokens
        }
    }

    func count(_ change: (inout Counts) -> Void) {
        counts.withLock { change(&$0) }
    }
}
