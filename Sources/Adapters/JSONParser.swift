/// Reads JSON (RFC 8259) from bytes in one pass: into a ``JSONValue``, or
/// skipping values to find where each member of an object lies. Nesting is
/// bounded, so a hostile text costs time in proportion to its size and no more.
///
/// Strict where the grammar is (no trailing commas, no comments, no bare control
/// characters in strings, nothing after the value, no number beyond a `Double`'s range),
/// lenient where providers are:
/// an unpaired `\u` surrogate becomes U+FFFD, and of two members with one name the
/// last wins. Strings must be valid UTF-8 when decoded; skipped ones are not decoded.
///
/// Headroom carries request and response bodies as bytes and reads only what
/// it needs from them; Foundation's decoders cost several times more, and the
/// root package depends on nothing else.
struct JSONParser {
    /// Why a text is not JSON Headroom reads.
    enum Failure: Error, Equatable {
        /// Not JSON: the first byte that breaks the grammar (or the length, when the text ends too soon).
        case malformed(at: Int)
        /// Arrays and objects nested deeper than the bound.
        case tooDeep
        /// JSON, but not the object asked for.
        case notAnObject
    }

    /// The deepest nesting read: far more than any real request or answer uses.
    static let deepestAllowed = 64

    private let bytes: [UInt8]
    private var index = 0
    private let maxDepth: Int
    /// Whether an object named a member twice (the last one kept).
    private var repeatedName = false

    private init(_ bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// The value `bytes` hold.
    static func parse(_ bytes: [UInt8], maxDepth: Int = deepestAllowed) throws(Failure) -> JSONValue {
        try parseNotingRepeats(bytes, maxDepth: maxDepth).value
    }

    /// The value `bytes` hold, and whether an object in it names a member twice (by Swift's string
    /// equality, which takes canonically equivalent names as one).
    static func parseNotingRepeats(_ bytes: [UInt8], maxDepth: Int = deepestAllowed) throws(Failure) -> (value: JSONValue, repeatsName: Bool) {
        var parser = JSONParser(bytes, maxDepth: maxDepth)
        let value = try parser.value(depth: 0)
        try parser.end()
        return (value, parser.repeatedName)
    }

    /// The members of the object `bytes` hold, in order: each name, and where its value lies.
    /// Values are checked against the grammar and skipped, not decoded. Any other value is ``Failure/notAnObject``.
    static func members(of bytes: [UInt8], maxDepth: Int = deepestAllowed) throws(Failure) -> [(name: String, value: Range<Int>)] {
        var parser = JSONParser(bytes, maxDepth: maxDepth)
        var members: [(name: String, value: Range<Int>)] = []
        parser.skipWhitespace()
        guard parser.peek() == UInt8(ascii: "{") else {
            try parser.skipValue(depth: 0)
            try parser.end()
            throw .notAnObject
        }
        try parser.object(depth: 0) { (parser: inout JSONParser, name: String) throws(Failure) in
            parser.skipWhitespace()
            let start = parser.index
            try parser.skipValue(depth: 1)
            members.append((name, start ..< parser.index))
        }
        try parser.end()
        return members
    }

    // MARK: Values

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "{"):
            var fields: [String: JSONValue] = [:]
            try object(depth: depth) { (parser: inout JSONParser, name: String) throws(Failure) in
                if fields.updateValue(try parser.value(depth: depth + 1), forKey: name) != nil { parser.repeatedName = true }
            }
            return .object(fields)
        case UInt8(ascii: "["):
            var items: [JSONValue] = []
            try array(depth: depth) { (parser: inout JSONParser) throws(Failure) in items.append(try parser.value(depth: depth + 1)) }
            return .array(items)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    /// Checks the value at the index against the grammar and moves past it.
    private mutating func skipValue(depth: Int) throws(Failure) {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "{"):
            try object(depth: depth) { (parser: inout JSONParser, _: String) throws(Failure) in try parser.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try array(depth: depth) { (parser: inout JSONParser) throws(Failure) in try parser.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): index = try stringEnd(from: index + 1) + 1
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try numberEnd()
        }
    }

    /// An object: calls `member` with the parser at each member's value, which it must consume.
    private mutating func object(depth: Int, _ member: (inout JSONParser, String) throws(Failure) -> Void) throws(Failure) {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        guard depth < maxDepth else { throw .tooDeep }
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw .malformed(at: index) }
            let name = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            try member(&self, name)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    /// An array: calls `item` with the parser at each item, which it must consume.
    private mutating func array(depth: Int, _ item: (inout JSONParser) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "["))
        guard depth < maxDepth else { throw .tooDeep }
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try item(&self)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return
        }
    }

    // MARK: Strings

    /// The string at the index (its opening quote), decoded.
    private mutating func string() throws(Failure) -> String {
        let start = index + 1
        let end = try stringEnd(from: start)
        defer { index = end + 1 }
        let raw = bytes[start ..< end]
        if !raw.contains(UInt8(ascii: "\\")) {
            guard let text = String(validating: raw, as: UTF8.self) else { throw .malformed(at: start) }
            return text
        }
        return try unescaped(start ..< end)
    }

    /// Where the string whose content starts at `start` closes (the index of its closing quote);
    /// checks its escapes and that it holds no bare control character.
    private func stringEnd(from start: Int) throws(Failure) -> Int {
        var i = start
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""): return i
            case UInt8(ascii: "\\"):
                guard i + 1 < bytes.count else { throw .malformed(at: bytes.count) }
                switch bytes[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    _ = try hex4(at: i + 2)
                    i += 6
                default: throw .malformed(at: i + 1)
                }
            case 0 ..< 0x20: throw .malformed(at: i)
            default: i += 1
            }
        }
        throw .malformed(at: bytes.count)
    }

    /// The string content in `range` (already checked by ``stringEnd(from:)``) with its escapes decoded.
    private func unescaped(_ range: Range<Int>) throws(Failure) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(range.count)
        var i = range.lowerBound
        while i < range.upperBound {
            let byte = bytes[i]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                i += 1
                continue
            }
            let escape = bytes[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: i)
                i += 4
                if (0xD800 ..< 0xDC00).contains(scalar), let low = try lowSurrogate(at: i, before: range.upperBound) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { utf8.append($0) }
            default: utf8.append(escape)   // `"`, `\` and `/` stand for themselves
            }
        }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw .malformed(at: range.lowerBound) }
        return text
    }

    /// The `\uDC00`-`\uDFFF` escape at `start`, if one is there (the second half of a surrogate pair).
    private func lowSurrogate(at start: Int, before end: Int) throws(Failure) -> UInt32? {
        guard start + 6 <= end, bytes[start] == UInt8(ascii: "\\"), bytes[start + 1] == UInt8(ascii: "u") else { return nil }
        let low = try hex4(at: start + 2)
        return (0xDC00 ..< 0xE000).contains(low) ? low : nil
    }

    /// The four hexadecimal digits at `start`, as a number.
    private func hex4(at start: Int) throws(Failure) -> UInt32 {
        guard start + 4 <= bytes.count else { throw .malformed(at: bytes.count) }
        var value: UInt32 = 0
        for i in start ..< start + 4 {
            let byte = bytes[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .malformed(at: i)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    // MARK: Numbers and literals

    /// The number at the index: an integer when it has no fraction or exponent and fits an `Int`, else a `Double`.
    private mutating func number() throws(Failure) -> JSONValue {
        let start = index
        let (end, isInteger) = try numberEnd()
        let text = String(decoding: bytes[start ..< end], as: UTF8.self)
        if isInteger, let integer = Int(text) { return .integer(integer) }
        // Beyond a Double's range (1e400) is refused: no JSON text could say it again.
        guard let number = Double(text), number.isFinite else { throw .malformed(at: start) }
        return .number(number)
    }

    /// Moves past the number at the index, checked against the grammar; whether it is written as an integer.
    private mutating func numberEnd() throws(Failure) -> (end: Int, isInteger: Bool) {
        var isInteger = true
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else {
            try digits()
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            isInteger = false
            try digits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            isInteger = false
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            try digits()
        }
        return (index, isInteger)
    }

    /// One digit or more.
    private mutating func digits() throws(Failure) {
        let start = index
        while let byte = peek(), (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(byte) { index += 1 }
        guard index > start else { throw .malformed(at: index) }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        for byte in word.utf8 {
            guard peek() == byte else { throw .malformed(at: index) }
            index += 1
        }
    }

    // MARK: Bytes

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard peek() == byte else { throw .malformed(at: index) }
        index += 1
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// Nothing but whitespace may follow the value.
    private mutating func end() throws(Failure) {
        skipWhitespace()
        guard index == bytes.count else { throw .malformed(at: index) }
    }
}
