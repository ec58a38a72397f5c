import Hummingbird
import NIOCore

/// The gateway's request context: Hummingbird's, and the connection the request came on,
/// whose ``HangUpWatcher`` tells when its client goes away.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The connection's watcher (`nil` for a connection without one).
    func hangUpWatcher() async -> HangUpWatcher? {
        try? await channel.pipeline.handler(type: HangUpWatcher.self).get()
    }
}
