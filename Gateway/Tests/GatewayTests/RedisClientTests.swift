import Foundation
import HeadroomRedis
import NIOCore
import HeadroomServerSupport
import Testing
@testable import HeadroomRedis

@Suite("Redis client", .serialized, .timeLimit(.minutes(2)))
struct RedisClientTests {
    @Test("Replies of every kind are read, and broken or oversized ones are refused", arguments: [
        ("+OK\r\n", RESPValue?.some(.simpleString("OK"))),
        ("-ERR wrong\r\n", .error("ERR wrong")),
        (":-42\r\n", .integer(-42)),
        ("$5\r\nhe\r\nl\r\n", .bulkString(Array("he\r\nl".utf8))),
        ("$-1\r\n", .bulkString(nil)),
        ("*2\r\n$1\r\na\r\n*1\r\n:1\r\n", .array([.bulkString([97]), .array([.integer(1)])])),
        ("*-1\r\n", .array(nil)),
        ("$5\r\nhel", nil), // not all here yet
    ])
    func decodes(text: String, expected: RESPValue?) throws {
        var buffer = ByteBuffer(string: text)
        #expect(try RESPDecoder.value(in: &buffer, depth: 0, maxBulkBytes: 1 << 20, maxArrayCount: 100) == expected)
    }

    @Test("Hostile replies are errors, never a crash or a large allocation", arguments: [
        "?x\r\n", ":12a\r\n", "$-2\r\n", "$3\r\nabcd\r\n", "*-5\r\n", "$99999999999\r\n", "*1000000\r\n", String(repeating: "*1\r\n", count: 40) + ":1\r\n",
        "+" + String(repeating: "a", count: 70_000),
    ])
    func refuses(text: String) {
        var buffer = ByteBuffer(string: text)
        #expect(throws: RESPDecoder.Failure.self) { try RESPDecoder.value(in: &buffer, depth: 0, maxBulkBytes: 1 << 20, maxArrayCount: 100) }
    }

    @Test("Addresses: host, port and database; anything else is refused", arguments: [
        ("redis://127.0.0.1:6380/2", "127.0.0.1", 6_380, 2), ("redis://cache", "cache", 6_379, 0), ("redis://h:1/", "h", 1, 0),
    ])
    func addresses(url: String, host: String, port: Int, database: Int) throws {
        #expect(try RedisAddress(url: url) == RedisAddress(url: "redis://\(host):\(port)/\(database)"))
        let address = try RedisAddress(url: url)
        #expect(address.host == host && address.port == port && address.database == database)
    }

    @Test("Malformed addresses are refused by name", arguments: ["http://h", "redis://", "redis://h:0", "redis://h:x", "redis://u:p@h", "redis://h/16"])
    func badAddresses(url: String) {
        #expect(throws: RedisError.invalidURL(url)) { try RedisAddress(url: url) }
    }

    @Test("Commands, many at once over few connections, each get their own reply")
    func pipelines() async throws {
        let server = try await LocalRedis.start()
        let redis = try RedisClient(url: server.url, connections: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0 ..< 500 {
                group.addTask {
                    _ = try await redis.send(["SET", "k\(n)", "v\(n)"])
                    let value = try await redis.send(["GET", "k\(n)"])
                    #expect(value == .bulkString(Array("v\(n)".utf8)))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await redis.send(["GET", "missing"]).isNull)
        await #expect(throws: RedisError.server("ERR unknown command 'NOSUCHCOMMAND', with args beginning with: ")) {
            try await redis.send(["NOSUCHCOMMAND"])
        }
        await redis.close()
        await server.stop()
    }

    @Test("A script runs by its digest, and is loaded again after Redis forgets it")
    func scripts() async throws {
        let server = try await LocalRedis.start()
        let redis = try RedisClient(url: server.url, connections: 1)
        let add = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        #expect(try await redis.run(add, keys: ["n"], arguments: [Array("5".utf8)]) == .integer(5))
        _ = try await redis.send(["SCRIPT", "FLUSH"])
        #expect(try await redis.run(add, keys: ["n"], arguments: [Array("2".utf8)]) == .integer(7))
        await redis.close()
        await server.stop()
    }

    @Test("A reply slower than the timeout fails the command; the client connects again and goes on")
    func timeout() async throws {
        let server = try await LocalRedis.start()
        let redis = try RedisClient(url: server.url, connections: 1, timeout: .milliseconds(200))
        await #expect(throws: RedisError.timedOut) { try await redis.send(["DEBUG", "SLEEP", "0.5"]) }
        try await Task.sleep(for: .milliseconds(600))
        #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
        await redis.close()
        await server.stop()
    }

    @Test("A server that is gone fails commands at once, then within the back-off without trying; back, it is used again")
    func reconnects() async throws {
        let server = try await LocalRedis.start()
        let redis = try RedisClient(url: server.url, connections: 1, timeout: .milliseconds(300))
        #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
        await server.stop()
        await #expect(throws: RedisError.self) { try await redis.send(["PING"]) }
        await #expect(throws: RedisError.self) { try await redis.send(["PING"]) }
        let refusal = await #expect(throws: RedisError.self) { try await redis.send(["PING"]) }
        if case .unavailable(let reason)? = refusal { #expect(reason.contains("back-off")) } else { Issue.record("expected a back-off, got \(String(describing: refusal))") }
        await redis.close()
    }

    @Test("The back-off doubles from 100 ms to at most 10 s")
    func backoff() {
        #expect(RedisClient.delay(afterFailures: 1) == .milliseconds(100))
        #expect(RedisClient.delay(afterFailures: 4) == .milliseconds(800))
        #expect(RedisClient.delay(afterFailures: 40) == .seconds(10))
    }
}
