import Foundation
import HeadroomRedis
#if canImport(Glibc)
import Glibc
#endif

/// A real Redis (Debian's redis-server, which `Scripts/test-dependencies.sh` installs) on a
/// loopback port, for as long as a test or a benchmark needs it: nothing saved to disk, stopped at
/// the end. (Started with posix_spawn and reaped with waitpid: Foundation's Process stalled a test
/// that waited for it.)
///
/// ```swift
/// let redis = try await LocalRedis.start()
/// let client = try RedisClient(url: redis.url)
/// await redis.stop()
/// ```
public final class LocalRedis: Sendable {
    /// The port it listens on.
    public let port: Int
    private let pid: pid_t

    /// Its address.
    public var url: String { "redis://127.0.0.1:\(port)" }

    /// Starts a server on `port` (by default a free one) and returns once it answers PING.
    public static func start(port fixed: Int? = nil) async throws -> LocalRedis {
        for _ in 0 ..< (fixed == nil ? 20 : 1) {
            let port = fixed ?? Int.random(in: 20_000 ... 60_000)
            let arguments = ["/usr/bin/redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--loglevel", "warning", "--logfile", "/dev/null", "--enable-debug-command", "local"]
            var pid: pid_t = 0
            var argv = arguments.map { strdup($0) } + [nil]
            defer { for argument in argv { free(argument) } }
            // Its output goes nowhere: inheriting the test's pipes would keep them open after the test ends.
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            guard posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ) == 0 else {
                throw RedisError.unavailable("redis-server could not be started; run Scripts/test-dependencies.sh")
            }
            let server = LocalRedis(port: port, pid: pid)
            if await server.answers() { return server }
            await server.stop()
        }
        throw RedisError.unavailable(fixed == nil ? "no redis-server answered on a free port" : "no redis-server answered on port \(fixed!)")
    }

    private init(port: Int, pid: pid_t) {
        self.port = port
        self.pid = pid
    }

    /// Whether the server answers PING within a few seconds.
    private func answers() async -> Bool {
        guard let client = try? RedisClient(url: url, connections: 1, timeout: .milliseconds(200)) else { return false }
        defer { Task { await client.close() } }
        for _ in 0 ..< 50 {
            guard isRunning else { return false }
            if (try? await client.send(["PING"])) == .simpleString("PONG") { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Whether the process has not exited (reaping it if it has).
    private var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Stops the server and returns once it has exited.
    public func stop() async {
        // SIGKILL: a child may inherit a mask that blocks SIGTERM, and nothing here needs a clean shutdown.
        kill(pid, SIGKILL)
        while isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
