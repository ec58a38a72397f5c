/// A JSON object of one level read from one line of a JSONL trace: numbers,
/// strings, booleans and nulls are kept; arrays and nested objects are
/// checked for balance and skipped.
///
/// It reads the line's bytes in place and keeps its few fields in a list, so
/// that a trace row costs no hashing and, for short keys and plain values,
/// no allocation but the list.
struct FlatJSONObject {
    enum Value: Equatable {
        case number(Double)
        case string(String)
        case bool(Bool)
        case null
        case skipped
    }

    /// The fields in the order of the line.
    private(set) var fields: [(key: String, value: Value)] = []

    /// Parses `line`, or says what is wrong with it.
    init(parsing line: UnsafeBufferPointer<UInt8>) throws(ParseError) {
        var p = Parser(bytes: line)
        fields.reserveCapacity(8)
        p.skipSpace()
        try p.expect(UInt8(ascii: "{"))
        p.skipSpace()
        if p.peek() == UInt8(ascii: "}") { p.index += 1 } else {
            while true {
                p.skipSpace()
                let key = try p.string()
                p.skipSpace()
                try p.expect(UInt8(ascii: ":"))
                p.skipSpace()
                fields.append((key, try p.value()))
                p.skipSpace()
                if p.peek() == UInt8(ascii: ",") { p.index += 1; continue }
                try p.expect(UInt8(ascii: "}"))
                break
            }
        }
        p.skipSpace()
        if p.index != p.bytes.count { throw ParseError(message: "unexpected text after the object at column \(p.index + 1)") }
    }

    struct ParseError: Error {
        let message: String
    }

    /// The value at `key` (the last, if the line repeats it).
    subscript(key: String) -> Value? {
        fields.last { $0.key == key }?.value
    }

    /// The number at `key`, if it is a number.
    func number(_ key: String) -> Double? {
        if case .number(let value)? = self[key] { return value }
        return nil
    }

    /// The string at `key`, if it is a string.
    func string(_ key: String) -> String? {
        if case .string(let value)? = self[key] { return value }
        return nil
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = peek(), byte == 32 || byte == 9 || byte == 10 || byte == 13 { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(ParseError) {
            guard peek() == byte else {
                throw ParseError(message: "expected '\(Character(Unicode.Scalar(byte)))' at column \(index + 1)")
            }
            index += 1
        }

        mutating func string() throws(ParseError) -> String {
            try expect(UInt8(ascii: "\""))
            // Most strings have no escapes: made straight from their bytes.
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                defer { index = end + 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[index ..< end]), as: UTF8.self)
            }
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() { scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars); run.removeAll() }
            while let byte = peek() {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flush()
                    guard let escaped = peek() else { break }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index ..< index + 4], as: UTF8.self), radix: 16) else {
                            throw ParseError(message: "a \\u escape needs four hex digits at column \(index + 1)")
                        }
                        index += 4
                        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    default: scalars.append(Unicode.Scalar(escaped))
                    }
                default:
                    run.append(byte)
                }
            }
            throw ParseError(message: "a string is not closed")
        }

        mutating func value() throws(ParseError) -> Value {
            switch peek() {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                try skipNested()
                return .skipped
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default:
                let start = index
                while let byte = peek(), (byte >= 48 && byte <= 57) || byte == 45 || byte == 43 || byte == 46 || byte == 101 || byte == 69 { index += 1 }
                if let whole = wholeNumber(start ..< index) { return .number(whole) }
                guard let number = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< index]), as: UTF8.self)) else {
                    throw ParseError(message: "expected a value at column \(start + 1)")
                }
                return .number(number)
            }
        }

        /// The digits at `range` (a minus sign allowed first) as a number, if
        /// they are at most 15, which a `Double` holds exactly; otherwise `nil`.
        func wholeNumber(_ range: Range<Int>) -> Double? {
            var i = range.lowerBound
            let negative = i < range.upperBound && bytes[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            guard i < range.upperBound, range.upperBound - i <= 15 else { return nil }
            var value = 0
            while i < range.upperBound {
                let digit = Int(bytes[i]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
                i += 1
            }
            return Double(negative ? -value : value)
        }

        mutating func literal(_ word: String) throws(ParseError) {
            for byte in word.utf8 { try expect(byte) }
        }

        mutating func skipNested() throws(ParseError) {
            var depth = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { _ = try string(); continue }
                index += 1
                if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { depth += 1 }
                if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { return }
                }
            }
            throw ParseError(message: "an array or object is not closed")
        }
    }
}
