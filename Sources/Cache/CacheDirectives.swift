import Foundation

/// What a request's `Cache-Control` field asks of the cache.
///
/// - `no-cache`: look nothing up (go upstream), but store the answer.
/// - `no-store`: neither look up nor store; the request is not coalesced either.
/// - `max-age=N`: accept a stored answer no older than `N` seconds.
///
/// Other directives are ignored, as is a malformed `max-age`. Names are matched
/// without regard to case.
///
/// ```swift
/// CacheDirectives(cacheControl: "max-age=60").maxAge // 60 seconds
/// ```
public struct CacheDirectives: Hashable, Sendable {
    /// Look nothing up.
    public var noCache = false
    /// Neither look up nor store.
    public var noStore = false
    /// The oldest answer accepted.
    public var maxAge: Duration?

    /// The longest `max-age` taken as it is (ten years); larger values are taken as this.
    public static let longestMaxAge = Duration.seconds(10 * 365 * 86_400)

    /// Directives that ask nothing special.
    public init() {}

    /// The directives in a `Cache-Control` field's value (`nil`: none sent).
    public init(cacheControl: String?) {
        guard let cacheControl else { return }
        for directive in cacheControl.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            switch parts[0].lowercased() {
            case "no-cache": noCache = true
            case "no-store": noStore = true
            case "max-age" where parts.count == 2:
                var value = Substring(parts[1])
                if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
                guard !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) else { continue }
                // Digits past what an Int holds mean "very long".
                let seconds = Int64(value).map { min($0, Self.longestMaxAge.components.seconds) } ?? Self.longestMaxAge.components.seconds
                maxAge = .seconds(seconds)
            default: continue
            }
        }
    }

    /// Whether an answer of age `age` is acceptable.
    public func accepts(age: Duration) -> Bool {
        maxAge.map { age <= $0 } ?? true
    }
}
