import Foundation
import HeadroomCore

/// Requests and answers as Swift values, for callers that build them in code.
extension HeadroomEngine {
    /// Sends a chat completion, waiting for room on a deployment as needed.
    ///
    /// - Throws: ``HeadroomError`` when the request cannot be served (queue full,
    ///   deadline passed, the provider refused it, attempts exhausted), or
    ///   `CancellationError` when the calling task is cancelled.
    public func chat(_ request: ChatCompletionRequest, priority: Int = 0, deadline: Duration? = nil) async throws -> ChatCompletion {
        var request = request
        request.stream = nil
        let answer = try await send(try Self.body(.chatCompletions, request), priority: priority, deadline: deadline)
        return ChatCompletion(json: try JSONValue(parsing: answer.body))
    }

    /// Embeds one input or many.
    public func embed(_ request: EmbeddingRequest, priority: Int = 0, deadline: Duration? = nil) async throws -> EmbeddingResponse {
        let answer = try await send(try Self.body(.embeddings, request), priority: priority, deadline: deadline)
        return EmbeddingResponse(json: try JSONValue(parsing: answer.body))
    }

    /// Streams a chat completion chunk by chunk. An attempt that fails before
    /// its first chunk reaches you is retried; one that fails after ends the stream with the error.
    public func streamChat(_ request: ChatCompletionRequest, priority: Int = 0, deadline: Duration? = nil) -> AsyncThrowingStream<ChatCompletionChunk, any Error> {
        var request = request
        request.stream = true
        let parts: AsyncThrowingStream<APIStreamPart, any Error>
        do {
            parts = stream(try Self.body(.chatCompletions, request), priority: priority, deadline: deadline)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        // Ending the chunks (or dropping them) drops the parts, which cancels the request.
        let (chunks, continuation) = AsyncThrowingStream<ChatCompletionChunk, any Error>.makeStream()
        let forward = Task {
            do {
                for try await case .event(let event) in parts { continuation.yield(ChatCompletionChunk(json: try JSONValue(parsing: event))) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in forward.cancel() }
        return chunks
    }

    private static func body(_ operation: ProviderOperation, _ request: some Encodable) throws -> APIRequest {
        try APIRequest(operation, bytes: Array(JSONEncoder().encode(request)))
    }
}
