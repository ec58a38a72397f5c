/// Splits a `text/event-stream` body into the data of its events, as OpenAI and
/// Azure OpenAI stream chat completions: `data:` lines, events ended by a blank
/// line, the stream ended by `data: [DONE]` (or by the body's end: the
/// iterator's ``Iterator/completed`` tells which).
/// Comments (`:`) and other fields (`event:`, `id:`, `retry:`) are ignored.
public struct ServerSentEvents: AsyncSequence, Sendable {
    public typealias Element = String

    private let body: AsyncThrowingStream<[UInt8], any Error>

    /// Events of `body`.
    public init(_ body: AsyncThrowingStream<[UInt8], any Error>) {
        self.body = body
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(body: body.makeAsyncIterator())
    }

    /// Yields each event's data (its `data:` lines joined by newlines).
    public struct Iterator: AsyncIteratorProtocol {
        var body: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        var buffer: [UInt8] = []
        var data: [String] = []
        var done = false
        /// Whether the stream ended with `data: [DONE]`, as a complete answer does (rather than just stopping).
        public private(set) var completed = false

        public mutating func next() async throws -> String? {
            while !done {
                if let newline = buffer.firstIndex(of: 10) {
                    var line = Array(buffer[..<newline])
                    buffer.removeFirst(newline + 1)
                    if line.last == 13 { line.removeLast() }
                    if let event = take(String(decoding: line, as: UTF8.self)) { return event }
                    continue
                }
                guard let chunk = try await body.next() else {
                    done = true
                    if !buffer.isEmpty, let event = take(String(decoding: buffer, as: UTF8.self)) { return event }
                    return take("")
                }
                buffer.append(contentsOf: chunk)
            }
            return nil
        }

        /// Takes in one line; returns an event's data when the line ends one.
        private mutating func take(_ line: String) -> String? {
            if line.isEmpty {
                guard !data.isEmpty else { return nil }
                let event = data.joined(separator: "\n")
                data.removeAll()
                if event == "[DONE]" {
                    done = true
                    completed = true
                    return nil
                }
                return event
            }
            if line.hasPrefix("data:") {
                var value = line.dropFirst(5)
                if value.first == " " { value = value.dropFirst() }
                data.append(String(value))
            }
            return nil
        }
    }
}
