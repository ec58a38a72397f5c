import Foundation
@testable import HeadroomAdapters
import HeadroomCore
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test("Every kind of value is read exactly", arguments: [
        (#"{"a":[1,-2.5,true,false,null,"x"]}"#, JSONValue.object(["a": .array([.integer(1), .number(-2.5), .bool(true), .bool(false), .null, .string("x")])])),
        (" \t\r\n[ ] ", .array([])),
        ("{ }", .object([:])),
        ("-0", .integer(0)),
        ("1e2", .number(100)),
        ("1E-2", .number(0.01)),
        ("9223372036854775807", .integer(.max)),
        ("9223372036854775808", .number(9_223_372_036_854_775_808)),
        (#"{"a":1,"a":2}"#, .object(["a": .integer(2)])),
    ])
    func values(_ text: String, _ expected: JSONValue) throws {
        #expect(try parse(text) == expected)
    }

    @Test("Escapes are decoded: the short ones, \\u, surrogate pairs; an unpaired surrogate is U+FFFD", arguments: [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""caf\u00e9 \u00E9""#, "café é"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\ud83d x""#, "\u{FFFD} x"),
        (#""\ude00""#, "\u{FFFD}"),
        ("\"naïve ✓\"", "naïve ✓"),
    ])
    func escapes(_ text: String, _ expected: String) throws {
        #expect(try parse(text) == .string(expected))
    }

    @Test("What breaks the grammar is refused, at the first byte that breaks it", arguments: [
        ("", 0), ("[1,]", 3), ("{\"a\":1,}", 7), ("01", 1), ("1.", 2), (".5", 0), ("-", 1), ("1e", 2), ("+1", 0),
        ("\"a\u{1}\"", 2), (#""\x""#, 2), (#""\u12g4""#, 5), ("\"abc", 4), ("tru", 3), ("nul", 3), ("{} x", 3),
        ("{\"a\" 1}", 5), ("{a:1}", 1), ("[1 2]", 3), ("{\"a\":1", 6), ("NaN", 0), ("// c\n1", 0), ("1e400", 0), ("[-1e999]", 1),
    ])
    func malformed(_ text: String, _ at: Int) {
        #expect(throws: JSONParser.Failure.malformed(at: at)) { try parse(text) }
    }

    @Test("A string that is not UTF-8 is refused")
    func invalidUTF8() {
        #expect(throws: JSONParser.Failure.malformed(at: 1)) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONParser.Failure.malformed(at: 1)) { try JSONParser.parse([0x22, 0xC3, 0x5C, 0x6E, 0x22]) }
    }

    @Test("Nesting is bounded over arrays and objects, never counting brackets inside strings")
    func nesting() throws {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        #expect(try parse(nested(64)) != .null)
        #expect(throws: JSONParser.Failure.tooDeep) { try parse(nested(65)) }
        #expect(throws: JSONParser.Failure.tooDeep) { try parse(nested(100_000)) }
        #expect(throws: JSONParser.Failure.tooDeep) { try JSONParser.members(of: Array(#"{"a":\#(nested(64))}"#.utf8)) }
        #expect(try parse(#"{"text":"[[[[{{{{\"]]"}"#) == .object(["text": .string("[[[[{{{{\"]]")]))
    }

    @Test("Members are found in order with their values' exact bytes, the values skipped")
    func members() throws {
        let text = Array(#" {"model" : "gpt-4o", "messages":[{"role":"user"}] ,"n":2} "#.utf8)
        let members = try JSONParser.members(of: text)
        #expect(members.map(\.name) == ["model", "messages", "n"])
        #expect(members.map { String(decoding: text[$0.value], as: UTF8.self) } == [#""gpt-4o""#, #"[{"role":"user"}]"#, "2"])
        #expect(throws: JSONParser.Failure.notAnObject) { try JSONParser.members(of: Array("[1]".utf8)) }
        #expect(throws: JSONParser.Failure.malformed(at: 8)) { try JSONParser.members(of: Array(#"{"a":[1,]}"#.utf8)) }
    }

    @Test("Any value written and read back is the same value")
    func roundTrip() throws {
        var random = SeededRandom(seed: 7)
        for _ in 0 ..< 500 {
            let value = JSONValue.random(depth: 4, using: &random)
            #expect(try JSONParser.parse(value.jsonBytes) == value)
        }
    }

    @Test("The parser and Foundation read the same texts alike")
    func agreesWithFoundation() throws {
        var random = SeededRandom(seed: 11)
        for _ in 0 ..< 200 {
            let text = JSONValue.random(depth: 4, using: &random).jsonBytes
            let ours = try JSONParser.parse(text)
            let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text))
            // Foundation reads `2.0` as the integer 2; the parser keeps it a number (``JSONValue/integerValue`` reads both).
            #expect(ours.numbersAsDoubles == foundation.numbersAsDoubles)
        }
    }
}

extension JSONValue {
    /// The value with every integer as a `Double`.
    var numbersAsDoubles: JSONValue {
        switch self {
        case .integer(let value): .number(Double(value))
        case .array(let items): .array(items.map(\.numbersAsDoubles))
        case .object(let fields): .object(fields.mapValues(\.numbersAsDoubles))
        default: self
        }
    }

    /// A random value nested at most `depth` deep, with strings that need escaping and numbers of every form.
    static func random(depth: Int, using random: inout SeededRandom) -> JSONValue {
        let pieces = ["a", "é", "\"", "\\", "\n", "\u{1}", "😀", "/", " ", "key", "\u{7F}"]
        func below(_ bound: Int) -> Int { Int.random(in: 0 ..< bound, using: &random) }
        func text() -> String { (0 ..< below(6)).map { _ in pieces[below(pieces.count)] }.joined() }
        switch below(depth > 0 ? 8 : 6) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return .integer(Int.random(in: .min ... .max, using: &random) >> below(64))
        case 3: return .number(Double(below(2_000_000) - 1_000_000) / 1024 * pow(10, Double(below(40) - 20)))
        case 4, 5: return .string(text())
        case 6: return .array((0 ..< below(4)).map { _ in JSONValue.random(depth: depth - 1, using: &random) })
        default:
            var fields: [String: JSONValue] = [:]
            for _ in 0 ..< below(4) { fields[text()] = JSONValue.random(depth: depth - 1, using: &random) }
            return .object(fields)
        }
    }
}
