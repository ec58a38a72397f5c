/// Splits a `text/event-stream` body into the data of its events, as OpenAI and
/// Azure OpenAI stream chat completions: `data:` lines, events ended by a blank
/// line, the stream ended by `data: [DONE]` (or by the body's end: the
/// iterator's ``Iterator/completed`` tells which).
/// Comments (`:`) and other fields (`event:`, `id:`, `retry:`) are ignored.
/// Events are bytes, as sent: nothing is decoded.
public struct ServerSentEvents: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    private let body: AsyncThrowingStream<[UInt8], any Error>
    private let maxEventBytes: Int

    /// Events of `body`; an event (or a line) longer than `maxEventBytes` ends the
    /// sequence with ``AnswerTooLarge`` rather than grow without bound.
    public init(_ body: AsyncThrowingStream<[UInt8], any Error>, maxEventBytes: Int = 1 << 20) {
        self.body = body
        self.maxEventBytes = maxEventBytes
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(body: body.makeAsyncIterator(), maxEventBytes: maxEventBytes)
    }

    /// Yields each event's data (its `data:` lines joined by newlines).
    public struct Iterator: AsyncIteratorProtocol {
        var body: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let maxEventBytes: Int
        var buffer: [UInt8] = []
        /// Where the first line not yet taken starts in `buffer`.
        var lineStart = 0
        /// The event's `data:` lines so far, joined by newlines.
        var data: [UInt8] = []
        var hasData = false
        /// The bytes of `data`, held to `maxEventBytes` with what waits in `buffer`.
        var dataBytes = 0
        var done = false
        /// Whether the stream ended with `data: [DONE]`, as a complete answer does (rather than just stopping).
        public private(set) var completed = false

        public mutating func next() async throws -> [UInt8]? {
            while !done {
                if let newline = buffer[lineStart...].firstIndex(of: 10) {
                    var line = buffer[lineStart ..< newline]
                    lineStart = newline + 1
                    if line.last == 13 { line.removeLast() }
                    if let event = take(line) { return event }
                    if dataBytes > maxEventBytes { throw AnswerTooLarge(limit: maxEventBytes) }
                    continue
                }
                // No line ended: what is left is part of one, held to the bound with the event's data.
                buffer.removeFirst(lineStart)
                lineStart = 0
                if buffer.count > maxEventBytes - dataBytes { throw AnswerTooLarge(limit: maxEventBytes) }
                guard let chunk = try await body.next() else {
                    done = true
                    if !buffer.isEmpty, let event = take(buffer[...]) { return event }
                    return take([])
                }
                buffer.append(contentsOf: chunk)
            }
            return nil
        }

        /// Takes in one line; returns an event's data when the line ends one.
        private mutating func take(_ line: ArraySlice<UInt8>) -> [UInt8]? {
            if line.isEmpty {
                guard hasData else { return nil }
                let event = data
                data.removeAll(keepingCapacity: true)
                hasData = false
                dataBytes = 0
                if event.elementsEqual("[DONE]".utf8) {
                    done = true
                    completed = true
                    return nil
                }
                return event
            }
            if line.starts(with: "data:".utf8) {
                var value = line.dropFirst(5)
                if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
                if hasData { data.append(0x0A) }
                data += value
                hasData = true
                dataBytes += value.count + 1
            }
            return nil
        }
    }
}
