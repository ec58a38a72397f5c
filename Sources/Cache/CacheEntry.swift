import Foundation
import HeadroomCore

/// An answer kept in a cache: the provider's bytes exactly as they came, the usage
/// they reported, and where and when they came from.
public struct CacheEntry: Hashable, Sendable {
    /// The answer's bytes.
    public enum Answer: Hashable, Sendable {
        /// A whole body (a request that did not stream).
        case body([UInt8])
        /// A stream's events, each event's data as sent (a streaming request), in order.
        case events([[UInt8]])
    }

    /// The answer.
    public var answer: Answer
    /// The tokens the provider reported for it: what a hit saves.
    public var usage: Usage
    /// The deployment that answered.
    public var deployment: DeploymentID
    /// When it was stored (wall-clock time, so that every process sharing a store ages it alike).
    public var storedAt: Date

    /// Creates an entry.
    public init(answer: Answer, usage: Usage, deployment: DeploymentID, storedAt: Date) {
        self.answer = answer
        self.usage = usage
        self.deployment = deployment
        self.storedAt = storedAt
    }

    /// The bytes of the answer: what a hit does not fetch again.
    public var answerBytes: Int {
        switch answer {
        case .body(let body): body.count
        case .events(let events): events.reduce(0) { $0 + $1.count }
        }
    }

    /// How old the entry is at `now` (never less than zero: clocks differ between processes).
    public func age(at now: Date) -> Duration {
        .seconds(max(0, now.timeIntervalSince(storedAt)))
    }
}
