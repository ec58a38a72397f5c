import HeadroomCore
import NIOCore
import NIOPosix
import Synchronization

/// A small Redis client over SwiftNIO: a pool of connections, each pipelining
/// its commands, a timeout on every command, reconnection with back-off, and
/// scripts run by `EVALSHA` (loaded with `SCRIPT LOAD` when Redis does not know them).
///
/// No Swift Redis client is among the packages this project builds with, so it is
/// written here, as small as the cache and the shared capacity ledger need.
///
/// ```swift
/// let redis = try RedisClient(url: "redis://127.0.0.1:6379")
/// _ = try await redis.send(["SET", "greeting", "hello", "PX", "60000"])
/// let value = try await redis.send(["GET", "greeting"]).bytes  // "hello"
/// ```
public final class RedisClient: Sendable {
    private struct Slot {
        var channel: (any Channel)?
        var connecting: EventLoopFuture<any Channel>?
        var failures = 0
        var retryAt = NIODeadline.uptimeNanoseconds(0)
    }

    /// Where the server is.
    public let address: RedisAddress
    /// How long a command may wait for its reply; past it the connection is closed (its other commands fail too).
    public let timeout: Duration
    private let group: any EventLoopGroup
    private let slots: Mutex<[Slot]>
    private let next = Atomic<Int>(0)
    /// The digests Redis gave the scripts it loaded, by script text.
    private let digests = Mutex<[String: String]>([:])
    /// The back-off after a failed connection: doubling from the first to the last.
    static let backoff = (first: Duration.milliseconds(100), last: Duration.seconds(10))

    /// A client for the server at `url` (`redis://host:port[/db]`), with `connections` connections, made
    /// as they are first needed.
    public init(url: String, connections: Int = 4, timeout: Duration = .seconds(1),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(RedisError) {
        address = try RedisAddress(url: url)
        self.timeout = timeout
        self.group = group
        slots = Mutex(Array(repeating: Slot(), count: max(1, connections)))
    }

    /// Sends a command (its name and arguments) and returns the reply; an error reply throws ``RedisError/server(_:)``.
    public func send(_ command: [String]) async throws -> RESPValue {
        try await send(command.map { Array($0.utf8) })
    }

    /// Sends a command whose arguments are bytes.
    public func send(_ command: [[UInt8]]) async throws -> RESPValue {
        let slot = next.wrappingAdd(1, ordering: .relaxed).oldValue % slots.withLock { $0.count }
        let channel = try await connection(slot)
        let reply = channel.eventLoop.makePromise(of: RESPValue.self)
        let timedOut = Atomic<Bool>(false)
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
            timedOut.store(true, ordering: .relaxed)
            reply.fail(RedisError.timedOut)
            channel.close(promise: nil)
        }
        channel.writeAndFlush(RedisCommandHandler.OutboundIn(command, reply), promise: nil)
        defer { timer.cancel() }
        let value: RESPValue
        do {
            value = try await reply.futureResult.get()
        } catch {
            throw timedOut.load(ordering: .relaxed) ? RedisError.timedOut : error
        }
        if case .error(let message) = value { throw RedisError.server(message) }
        return value
    }

    /// Runs `script` with `keys` and `arguments`: by its digest, loading it first if Redis does not have it.
    public func run(_ script: RedisScript, keys: [String], arguments: [[UInt8]]) async throws -> RESPValue {
        let tail = [Array(String(keys.count).utf8)] + keys.map { Array($0.utf8) } + arguments
        if let digest = digests.withLock({ $0[script.source] }) {
            do {
                return try await send([Array("EVALSHA".utf8), Array(digest.utf8)] + tail)
            } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
                // Redis restarted, or its scripts were flushed: load it again.
            }
        }
        guard let digest = try await send(["SCRIPT", "LOAD", script.source]).bytes.map({ String(decoding: $0, as: UTF8.self) }) else {
            throw RedisError.unexpectedReply("SCRIPT LOAD gave no digest")
        }
        digests.withLock { $0[script.source] = digest }
        return try await send([Array("EVALSHA".utf8), Array(digest.utf8)] + tail)
    }

    /// Closes every connection.
    public func close() async {
        let channels = slots.withLock { slots in
            defer { for index in slots.indices { slots[index] = Slot() } }
            return slots.compactMap(\.channel)
        }
        for channel in channels { try? await channel.close() }
    }

    /// The open connection of `slot`, made if it has none and its back-off has passed.
    private func connection(_ slot: Int) async throws -> any Channel {
        enum Next {
            case use(any Channel)
            case wait(EventLoopFuture<any Channel>)
            case refuse(String)
        }
        let now = NIODeadline.now()
        let next: Next = slots.withLock { slots in
            if let channel = slots[slot].channel, channel.isActive { return .use(channel) }
            if let connecting = slots[slot].connecting { return .wait(connecting) }
            guard now >= slots[slot].retryAt else { return .refuse("connecting again after a back-off (\(slots[slot].failures) failures)") }
            let connecting = connect()
            slots[slot].channel = nil
            slots[slot].connecting = connecting
            return .wait(connecting)
        }
        switch next {
        case .use(let channel):
            return channel
        case .refuse(let reason):
            throw RedisError.unavailable(reason)
        case .wait(let connecting):
            do {
                let channel = try await connecting.get()
                slots.withLock { slots in
                    if slots[slot].connecting === connecting {
                        slots[slot] = Slot(channel: channel)
                    }
                }
                return channel
            } catch {
                slots.withLock { slots in
                    guard slots[slot].connecting === connecting else { return }
                    slots[slot].connecting = nil
                    slots[slot].failures += 1
                    slots[slot].retryAt = NIODeadline.now() + .nanoseconds(Self.delay(afterFailures: slots[slot].failures).nanoseconds)
                }
                throw RedisError.unavailable("\(error)")
            }
        }
    }

    /// A new connection, its database selected.
    private func connect() -> EventLoopFuture<any Channel> {
        let address = self.address
        return ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(timeout.nanoseconds))
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RedisCommandHandler())
                }
            }
            .connect(host: address.host, port: address.port)
            .flatMap { channel in
                guard address.database != 0 else { return channel.eventLoop.makeSucceededFuture(channel) }
                let reply = channel.eventLoop.makePromise(of: RESPValue.self)
                channel.writeAndFlush(RedisCommandHandler.OutboundIn([Array("SELECT".utf8), Array(String(address.database).utf8)], reply), promise: nil)
                return reply.futureResult.flatMapThrowing { value in
                    if case .error(let message) = value { throw RedisError.server(message) }
                    return channel
                }
            }
    }

    /// The wait before connecting again after `failures` failures in a row: doubling, within the bounds.
    static func delay(afterFailures failures: Int) -> Duration {
        let doubled = backoff.first * (1 << min(failures - 1, 20))
        return min(doubled, backoff.last)
    }
}
