import HeadroomCore

/// Sends HTTP requests. The live engine uses ``URLSessionTransport``; tests use
/// a double that answers from a script.
///
/// Implementers must honour task cancellation (abort the request) and the
/// `timeout` (fail with an error rather than wait past it for the response head).
public protocol HTTPTransport: Sendable {
    /// Sends `request`; returns once the response's status and headers have
    /// arrived, with the body still streaming.
    func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseStream
}

/// A response whose head has arrived and whose body arrives in chunks.
public struct HTTPResponseStream: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields (names as sent; look them up without regard to case).
    public var headers: [String: String]
    /// The body, chunk by chunk.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    /// Creates a response.
    public init(status: Int, headers: [String: String], body: AsyncThrowingStream<[UInt8], any Error>) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The whole body; past `limit` bytes, ``AnswerTooLarge`` (and the rest is not read).
    public func collect(upTo limit: Int = .max) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard chunk.count <= limit - bytes.count else { throw AnswerTooLarge(limit: limit) }
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }
}

/// A provider's answer, or one event of its stream, was larger than the engine reads.
public struct AnswerTooLarge: Error, CustomStringConvertible {
    /// The most bytes read.
    public var limit: Int

    public var description: String { "the answer is larger than \(limit) bytes" }
}
