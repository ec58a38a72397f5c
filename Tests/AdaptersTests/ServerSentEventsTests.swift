import HeadroomAdapters
import HeadroomCore
import Testing

func body(_ chunks: [String]) -> AsyncThrowingStream<[UInt8], any Error> {
    AsyncThrowingStream { continuation in
        for chunk in chunks { continuation.yield(Array(chunk.utf8)) }
        continuation.finish()
    }
}

@Suite("Server-sent events")
struct ServerSentEventsTests {
    @Test("Events split across chunks and lines, comments and other fields ignored, [DONE] ends the stream")
    func events() async throws {
        let stream = body([
            ": keep-alive\n\nda", "ta: {\"a\":1}\r\n\r\n", "event: message\nid: 7\ndata: first\ndata: second\n\n",
            "data: [DONE]\n\n", "data: {\"after\":true}\n\n",
        ])
        var events: [String] = []
        for try await event in ServerSentEvents(stream) { events.append(String(decoding: event, as: UTF8.self)) }
        #expect(events == [#"{"a":1}"#, "first\nsecond"])
    }

    @Test("A stream that ends without a blank line or [DONE] still yields its last event")
    func unterminated() async throws {
        var events: [String] = []
        for try await event in ServerSentEvents(body(["data: one\n\ndata: two"])) { events.append(String(decoding: event, as: UTF8.self)) }
        #expect(events == ["one", "two"])
    }
}
