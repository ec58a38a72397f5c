import NIOCore

/// Reads replies from a Redis connection: one ``RESPValue`` a reply, in order.
/// A server's bytes are checked as any outside input: a line must end in CRLF
/// within a bound, a bulk string or an array may not claim more than its bound,
/// and nesting is bounded, so a broken or hostile server costs an error, never
/// unbounded memory or a crash.
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    /// Why bytes are not a reply.
    enum Failure: Error, Equatable {
        case malformed(String)
        case tooLarge
    }

    /// The largest bulk string read (default 512 MiB, Redis's own bound).
    let maxBulkBytes: Int
    /// The most elements an array may claim.
    let maxArrayCount: Int
    /// The deepest nesting of arrays.
    static let maxDepth = 16
    /// The longest simple line (a status, an error, a number).
    static let maxLineBytes = 64 << 10

    init(maxBulkBytes: Int = 512 << 20, maxArrayCount: Int = 1 << 20) {
        self.maxBulkBytes = maxBulkBytes
        self.maxArrayCount = maxArrayCount
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var reader = buffer
        guard let value = try Self.value(in: &reader, depth: 0, maxBulkBytes: maxBulkBytes, maxArrayCount: maxArrayCount) else {
            return .needMoreData
        }
        buffer = reader
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    /// The value at the buffer's reader index, moving past it; `nil` if it has not all arrived.
    static func value(in buffer: inout ByteBuffer, depth: Int, maxBulkBytes: Int, maxArrayCount: Int) throws -> RESPValue? {
        guard depth < maxDepth else { throw Failure.malformed("arrays nested deeper than \(maxDepth)") }
        guard let kind = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        var rest = buffer
        rest.moveReaderIndex(forwardBy: 1)
        guard let line = try Self.line(in: &rest) else { return nil }
        let value: RESPValue
        switch kind {
        case UInt8(ascii: "+"): value = .simpleString(line)
        case UInt8(ascii: "-"): value = .error(line)
        case UInt8(ascii: ":"): value = .integer(try integer(line))
        case UInt8(ascii: "$"):
            let length = try integer(line)
            if length == -1 {
                value = .bulkString(nil)
            } else {
                guard length >= 0 else { throw Failure.malformed("a bulk string of length \(length)") }
                guard length <= maxBulkBytes else { throw Failure.tooLarge }
                guard rest.readableBytes >= length + 2 else { return nil }
                let bytes = rest.readBytes(length: length) ?? []
                guard rest.readBytes(length: 2) == [13, 10] else { throw Failure.malformed("a bulk string not ended by CRLF") }
                value = .bulkString(bytes)
            }
        case UInt8(ascii: "*"):
            let count = try integer(line)
            if count == -1 {
                value = .array(nil)
            } else {
                guard count >= 0 else { throw Failure.malformed("an array of \(count) elements") }
                guard count <= maxArrayCount else { throw Failure.tooLarge }
                var elements: [RESPValue] = []
                for _ in 0 ..< count {
                    guard let element = try Self.value(in: &rest, depth: depth + 1, maxBulkBytes: maxBulkBytes, maxArrayCount: maxArrayCount) else {
                        return nil
                    }
                    elements.append(element)
                }
                value = .array(elements)
            }
        default:
            throw Failure.malformed("a reply starting with byte \(kind)")
        }
        buffer = rest
        return value
    }

    /// The line at the reader index, without its CRLF; `nil` if its end has not arrived.
    private static func line(in buffer: inout ByteBuffer) throws -> String? {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: 13) else {
            if view.count > maxLineBytes { throw Failure.tooLarge }
            return nil
        }
        guard cr - view.startIndex <= maxLineBytes else { throw Failure.tooLarge }
        guard cr + 1 < view.endIndex else { return nil }
        guard view[cr + 1] == 10 else { throw Failure.malformed("a line not ended by CRLF") }
        let text = buffer.readString(length: cr - view.startIndex) ?? ""
        buffer.moveReaderIndex(forwardBy: 2)
        return text
    }

    private static func integer(_ line: String) throws -> Int {
        guard let value = Int(line) else { throw Failure.malformed("'\(line.prefix(40))' is not an integer") }
        return value
    }
}
