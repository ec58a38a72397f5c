/// A Lua script Redis runs atomically. ``RedisClient/run(_:keys:arguments:)``
/// loads it once (`SCRIPT LOAD`), then runs it by the digest Redis gave
/// (`EVALSHA`), loading it again if Redis has forgotten it (after a restart).
public struct RedisScript: Hashable, Sendable {
    /// The script's text.
    public let source: String

    /// A script.
    public init(_ source: String) {
        self.source = source
    }
}
