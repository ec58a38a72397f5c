import Foundation
import HeadroomCore

/// Reads every rate-limit signal a provider's response carries.
///
/// - `retry-after` (whole seconds, or an HTTP date), `retry-after-ms` and
///   Azure's `x-ms-retry-after-ms` (milliseconds, possibly fractional): the
///   most precise one wins.
/// - OpenAI's dialect: `x-ratelimit-limit-requests`, `x-ratelimit-limit-tokens`,
///   `x-ratelimit-remaining-requests`, `x-ratelimit-remaining-tokens`,
///   `x-ratelimit-reset-requests`, `x-ratelimit-reset-tokens` (Go durations
///   such as `6m0s`, or plain seconds).
/// - Anthropic's (``anthropic(_:receivedAt:)``): `anthropic-ratelimit-requests-*`,
///   `-input-tokens-*` and `-output-tokens-*`, each `-limit`, `-remaining` and
///   `-reset` (an RFC 3339 instant).
///
/// Names are matched without regard to case. A value that is malformed,
/// negative (`-1` is a common "unknown"), or absurd (a wait over
/// ``longestWait``) is ignored, never trusted into a crash or a stall.
///
/// ```swift
/// let headers = RateLimitHeaders(["x-ratelimit-remaining-tokens": "89000", "retry-after-ms": "1250"],
///                                refill: .continuous, receivedAt: Date())
/// headers.retryAfter     // 1.25 seconds
/// headers.observation    // tokens: 89,000 remaining, refill .continuous
/// ```
public struct RateLimitHeaders: Hashable, Sendable {
    /// The longest retry-after believed; longer values are ignored.
    public static let longestWait = Duration.seconds(24 * 3_600)

    /// How long the provider asked to wait before the next request, if it said.
    public var retryAfter: Duration?
    /// The budget the headers describe, for ``Scheduler/complete(_:outcome:rateLimits:now:)``;
    /// `nil` when they say nothing about it.
    public var observation: RateLimitObservation?

    /// Reads OpenAI's dialect in `headers`, received at `receivedAt` (for HTTP-date retry-after values),
    /// of budgets that come back as `refill` says: continuously (OpenAI's), or at a window's reset (Azure's).
    public init(_ headers: [String: String], refill: RateLimitObservation.Refill, receivedAt: Date) {
        let fields = Self.fields(headers, prefix: "x-ratelimit-")
        func budget(_ name: String) -> RateLimitObservation.Budget? {
            Self.budget(remaining: fields["x-ratelimit-remaining-\(name)"], limit: fields["x-ratelimit-limit-\(name)"],
                        resetIn: Self.reset(fields["x-ratelimit-reset-\(name)"]))
        }
        let observation = RateLimitObservation(requests: budget("requests"), tokens: budget("tokens"), refill: refill)
        self.init(fields, observation, receivedAt: receivedAt)
    }

    /// Reads Anthropic's dialect in `headers`, received at `receivedAt`: its input tokens are the
    /// budget of `tokensPerMinute`, its output tokens that of `outputTokensPerMinute`; all refill continuously.
    public static func anthropic(_ headers: [String: String], receivedAt: Date) -> RateLimitHeaders {
        let fields = fields(headers, prefix: "anthropic-ratelimit-")
        func budget(_ name: String) -> RateLimitObservation.Budget? {
            func field(_ figure: String) -> String? { fields["anthropic-ratelimit-\(name)-\(figure)"] }
            return Self.budget(remaining: field("remaining"), limit: field("limit"), resetIn: instant(field("reset"), after: receivedAt))
        }
        let observation = RateLimitObservation(requests: budget("requests"), tokens: budget("input-tokens"),
                                               outputTokens: budget("output-tokens"), refill: .continuous)
        return RateLimitHeaders(fields, observation, receivedAt: receivedAt)
    }

    /// The retry-after fields of `fields`, and `observation` if it says anything.
    private init(_ fields: [String: String], _ observation: RateLimitObservation, receivedAt: Date) {
        retryAfter = Self.milliseconds(fields["retry-after-ms"]) ?? Self.milliseconds(fields["x-ms-retry-after-ms"])
            ?? Self.retryAfterField(fields["retry-after"], receivedAt: receivedAt)
        self.observation = observation.isEmpty ? nil : observation
    }

    /// The fields read here (the retry-afters, and those starting with `prefix`), by lower-case name,
    /// their values without the spaces HTTP allows around them.
    private static func fields(_ headers: [String: String], prefix: String) -> [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in headers {
            let name = name.lowercased()
            guard name.hasPrefix(prefix) || name.hasSuffix("retry-after") || name.hasSuffix("retry-after-ms") else { continue }
            let isSpace = { (character: Character) in character == " " || character == "\t" }
            guard let first = value.firstIndex(where: { !isSpace($0) }), let last = value.lastIndex(where: { !isSpace($0) }) else { continue }
            fields[name] = String(value[first ... last])
        }
        return fields
    }

    /// The wait from `receivedAt` until the RFC 3339 instant `text`, within ``longestWait`` (0 if it has passed).
    static func instant(_ text: String?, after receivedAt: Date) -> Duration? {
        guard let text, text.utf8.count <= 64, let date = try? Date(text, strategy: .iso8601) else { return nil }
        let wait = date.timeIntervalSince(receivedAt)
        guard wait.isFinite, wait <= Double(longestWait.components.seconds) else { return nil }
        return .nanoseconds(Int64(max(0, wait) * 1e9))
    }

    /// A budget from its fields' texts: `nil` unless what is left reads as a count.
    static func budget(remaining: String?, limit: String?, resetIn: Duration?) -> RateLimitObservation.Budget? {
        count(remaining).map { RateLimitObservation.Budget(remaining: $0, limit: count(limit), resetIn: resetIn) }
    }

    /// A non-negative whole number below a trillion.
    static func count(_ text: String?) -> Int? {
        guard let text, let value = Int(text), value >= 0, value < 1_000_000_000_000 else { return nil }
        return value
    }

    /// Milliseconds, possibly fractional, positive and within ``longestWait``.
    static func milliseconds(_ text: String?) -> Duration? {
        guard let text, let value = Double(text), value.isFinite, value >= 0,
              value <= Double(longestWait.components.seconds) * 1_000 else { return nil }
        return .nanoseconds(Int64((value * 1e6).rounded()))
    }

    /// Whole (or decimal) seconds, or an HTTP date turned into the wait from `receivedAt`.
    static func retryAfterField(_ text: String?, receivedAt: Date) -> Duration? {
        guard let text else { return nil }
        if let seconds = Double(text) {
            guard seconds.isFinite, seconds >= 0, seconds <= Double(longestWait.components.seconds) else { return nil }
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        guard let date = IMFFixdate.parse(text) else { return nil }
        let wait = date.timeIntervalSince(receivedAt)
        guard wait <= Double(longestWait.components.seconds) else { return nil }
        return .nanoseconds(Int64(max(0, wait) * 1e9))
    }

    /// A reset: a Go duration, or plain seconds.
    static func reset(_ text: String?) -> Duration? {
        guard let text else { return nil }
        if let seconds = Double(text) {
            guard seconds.isFinite, seconds >= 0, seconds <= Double(longestWait.components.seconds) else { return nil }
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        return GoDuration.parse(text)
    }
}
