import AsyncHTTPClient
import HeadroomAdapters
import HeadroomCore
import NIOCore
import NIOHTTP1

/// Sends requests with AsyncHTTPClient over SwiftNIO: a pool of kept-alive
/// connections per upstream host (HTTP/2 where a TLS server offers it), bodies
/// streamed as they arrive, no redirects followed and nothing decompressed (so
/// an answer is never larger in memory than on the wire).
///
/// `timeout` bounds the wait for the response head. Cancelling the calling
/// task, or dropping the body stream, cancels the request.
///
/// ```swift
/// let engine = try HeadroomEngine(configuration: configuration, transport: AsyncHTTPClientTransport())
/// ```
public final class AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient

    /// Creates a transport with its own connection pool: up to `connectionsPerHost`
    /// HTTP/1.1 connections to each upstream host (the scheduler, not the pool,
    /// decides how many requests a deployment has in flight), each kept for
    /// `idleTimeout` between requests.
    public init(connectionsPerHost: Int = 256, idleTimeout: Duration = .seconds(60)) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: .nanoseconds(idleTimeout.nanoseconds),
                                             concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    deinit {
        // The pool closes its connections in the background; requests still streaming end with an error.
        client.shutdown { _ in }
    }

    public func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseStream {
        var upstream = HTTPClientRequest(url: request.url)
        upstream.method = HTTPMethod(rawValue: request.method)
        for field in request.headers { upstream.headers.add(name: field.name, value: field.value) }
        upstream.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await client.execute(upstream, timeout: .nanoseconds(max(1, timeout.nanoseconds)))
        var headers: [String: String] = [:]
        for field in response.headers where headers[field.name] == nil { headers[field.name] = field.value }
        // The body is read by a task of its own, which the stream's reader ends by dropping the stream.
        let (body, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let reader = Task {
            do {
                for try await buffer in response.body { continuation.yield(Array(buffer.readableBytesView)) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { reader.cancel() }
        }
        return HTTPResponseStream(status: Int(response.status.code), headers: headers, body: body)
    }
}
