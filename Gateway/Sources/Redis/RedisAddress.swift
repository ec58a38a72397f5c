/// Where a Redis server is: `redis://host:port`, optionally `/db` (database 0 by default).
public struct RedisAddress: Hashable, Sendable {
    /// The host name or address.
    public var host: String
    /// The port (default 6379).
    public var port: Int
    /// The database selected on each connection.
    public var database: Int

    /// The address a URL names.
    public init(url: String) throws(RedisError) {
        guard url.hasPrefix("redis://") else { throw .invalidURL(url) }
        var rest = Substring(url.dropFirst("redis://".count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let number = Int(path), (0 ... 15).contains(number) else { throw .invalidURL(url) }
                database = number
            }
            rest = rest[..<slash]
        }
        var port = 6_379
        if let colon = rest.lastIndex(of: ":") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1 ... 65_535).contains(number) else { throw .invalidURL(url) }
            port = number
            rest = rest[..<colon]
        }
        guard !rest.isEmpty, !rest.contains("@") else { throw .invalidURL(url) }
        host = String(rest)
        self.port = port
        self.database = database
    }
}
