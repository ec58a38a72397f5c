/// Why a Redis command did not get its reply.
public enum RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The connection closed (or was closed after a timeout) before the reply came.
    case connectionClosed
    /// No connection could be made; the next try waits out a back-off.
    case unavailable(String)
    /// The reply did not come within the client's timeout.
    case timedOut
    /// Redis answered with an error (`-ERR ...`).
    case server(String)
    /// The reply was not of the kind the command returns.
    case unexpectedReply(String)
    /// The address is not `redis://host:port[/db]`.
    case invalidURL(String)

    public var description: String {
        switch self {
        case .connectionClosed: "the connection to Redis closed"
        case .unavailable(let reason): "Redis is unavailable: \(reason)"
        case .timedOut: "Redis did not answer in time"
        case .server(let message): "Redis refused the command: \(message)"
        case .unexpectedReply(let reply): "Redis answered unexpectedly: \(reply)"
        case .invalidURL(let url): "'\(url)' is not a Redis address; write redis://host:port, optionally with /db"
        }
    }
}
