import Foundation
import HeadroomCore

/// Reads every rate-limit signal a provider's response carries.
///
/// - `retry-after` (whole seconds, or an HTTP date), `retry-after-ms` and
///   Azure's `x-ms-retry-after-ms` (milliseconds, possibly fractional): the
///   most precise one wins.
/// - `x-ratelimit-limit-requests`, `x-ratelimit-limit-tokens`,
///   `x-ratelimit-remaining-requests`, `x-ratelimit-remaining-tokens`,
///   `x-ratelimit-reset-requests`, `x-ratelimit-reset-tokens` (Go durations
///   such as `6m0s`, or plain seconds).
///
/// Names are matched without regard to case. A value that is malformed,
/// negative (`-1` is a common "unknown"), or absurd (a wait over
/// ``longestWait``) is ignored, never trusted into a crash or a stall.
///
/// ```swift
/// let headers = RateLimitHeaders(["x-ratelimit-remaining-tokens": "89000", "retry-after-ms": "1250"],
///                                provider: .openAI, receivedAt: Date())
/// headers.retryAfter     // 1.25 seconds
/// headers.observation    // remainingTokens 89,000, refill .continuous
/// ```
public struct RateLimitHeaders: Hashable, Sendable {
    /// The longest retry-after believed; longer values are ignored.
    public static let longestWait = Duration.seconds(24 * 3_600)

    /// How long the provider asked to wait before the next request, if it said.
    public var retryAfter: Duration?
    /// The budget the headers describe, for ``Scheduler/complete(_:outcome:rateLimits:now:)``;
    /// `nil` when they say nothing about it.
    public var observation: RateLimitObservation?

    /// Reads `headers` as received at `receivedAt` (for HTTP-date retry-after values).
    /// Azure's budgets come back at a window's reset, OpenAI's continuously.
    public init(_ headers: [String: String], provider: ProviderKind, receivedAt: Date) {
        // Only the fields read here, by lower-case name, their values without the spaces HTTP allows around them.
        var lowered: [String: String] = [:]
        for (name, value) in headers {
            let name = name.lowercased()
            guard name.hasPrefix("x-ratelimit-") || name.hasSuffix("retry-after") || name.hasSuffix("retry-after-ms") else { continue }
            let isSpace = { (character: Character) in character == " " || character == "\t" }
            guard let first = value.firstIndex(where: { !isSpace($0) }), let last = value.lastIndex(where: { !isSpace($0) }) else { continue }
            lowered[name] = String(value[first ... last])
        }

        retryAfter = Self.milliseconds(lowered["retry-after-ms"]) ?? Self.milliseconds(lowered["x-ms-retry-after-ms"])
            ?? Self.retryAfterField(lowered["retry-after"], receivedAt: receivedAt)

        let observation = RateLimitObservation(
            remainingRequests: Self.count(lowered["x-ratelimit-remaining-requests"]),
            remainingTokens: Self.count(lowered["x-ratelimit-remaining-tokens"]),
            requestLimit: Self.count(lowered["x-ratelimit-limit-requests"]),
            tokenLimit: Self.count(lowered["x-ratelimit-limit-tokens"]),
            requestsResetIn: Self.reset(lowered["x-ratelimit-reset-requests"]),
            tokensResetIn: Self.reset(lowered["x-ratelimit-reset-tokens"]),
            refill: provider == .azureOpenAI ? .atReset : .continuous
        )
        let saysSomething = observation.remainingRequests != nil || observation.remainingTokens != nil
        self.observation = saysSomething ? observation : nil
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
