import Hummingbird
import ServiceLifecycle

/// Runs the server `make` builds, calls `body` with its port once it listens,
/// then shuts the server down gracefully and waits for it to stop, whether or
/// not `body` threw.
///
/// Stopping gracefully matters: cancelling a server's task instead would drop
/// the connections it had accepted but not yet served, which NIO traps on
/// ("Deinited NIOAsyncWriter without calling finish()").
public func serving<App: ApplicationProtocol>(
    _ make: (@escaping @Sendable (Int) async -> Void) -> App,
    _ body: (Int) async throws -> Void
) async throws {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = make { continuation.yield($0) }
    let group = ServiceGroup(configuration: .init(services: [app], logger: app.logger))
    let run = Task {
        defer { continuation.finish() }
        try await group.run()
    }
    var iterator = ports.makeAsyncIterator()
    var outcome: Result<Void, any Error> = .failure(ServerStoppedEarly())
    if let port = await iterator.next() {
        do { try await body(port); outcome = .success(()) } catch { outcome = .failure(error) }
    }
    await group.triggerGracefulShutdown()
    try await run.value
    try outcome.get()
}

/// A server stopped before it listened.
public struct ServerStoppedEarly: Error, CustomStringConvertible {
    /// What happened, in a sentence.
    public var description: String { "the server stopped before it listened" }
}
