import Foundation
import HeadroomCore
import Testing
@testable import HeadroomTokenizers

/// tiktoken 0.14.0's answers for edge cases (testvectors.json, from the project's shared tokenizer folder).
struct TestVectors: Decodable {
    struct Case: Decodable {
        let text: String
        let pieces: [String]
        let encode_ordinary: [Int]
        let encode_allowed_all: [Int]
    }
    struct EncodingCases: Decodable {
        let cases: [Case]
    }
    let tiktoken_version: String
    let encodings: [String: EncodingCases]

    static let all: TestVectors = {
        let url = Bundle.module.url(forResource: "testvectors", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(TestVectors.self, from: Data(contentsOf: url))
    }()
}

@Suite("Exact BPE")
struct BPETests {
    @Test("Every tiktoken test vector: pieces, ordinary ids, ids with special tokens", arguments: BPETokenizer.Encoding.allCases)
    func vectors(_ encoding: BPETokenizer.Encoding) throws {
        let tokenizer = try BPETokenizer.load(encoding)
        let cases = try #require(TestVectors.all.encodings[encoding.rawValue]).cases
        #expect(cases.count == 69)
        for vector in cases {
            var pieces: [String] = []
            let scalars = Array(vector.text.unicodeScalars)
            encoding.pattern.split(scalars) { range in
                var piece = String.UnicodeScalarView()
                piece.append(contentsOf: scalars[range])
                pieces.append(String(piece))
            }
            #expect(pieces == vector.pieces, "pieces of \(vector.text.debugDescription)")
            #expect(tokenizer.encodeOrdinary(vector.text) == vector.encode_ordinary, "ordinary \(vector.text.debugDescription)")
            #expect(tokenizer.encode(vector.text, allowedSpecial: nil) == vector.encode_allowed_all, "special \(vector.text.debugDescription)")
            #expect(tokenizer.count(vector.text) == vector.encode_ordinary.count)
            #expect(tokenizer.decode(vector.encode_ordinary) == Array(vector.text.utf8))
        }
    }
}

@Suite("Exact BPE on the golden corpus")
struct BPEGoldenTests {
    @Test("Ids equal tiktoken's on all 440 chunks of code, prose, eleven scripts, emoji, digit runs and long words",
          arguments: BPETokenizer.Encoding.allCases)
    func golden(_ encoding: BPETokenizer.Encoding) throws {
        let tokenizer = try BPETokenizer.load(encoding)
        var mismatches: [String] = []
        for chunk in GoldenChunk.all {
            let ids = encoding == .cl100k ? chunk.cl100k_base_ids : chunk.o200k_base_ids
            if tokenizer.encodeOrdinary(chunk.text) != ids || tokenizer.count(chunk.text) != ids.count {
                mismatches.append(String(chunk.text.prefix(60)).debugDescription)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) chunks differ, e.g. \(mismatches.prefix(3))")
    }

    @Test("Decoding the encoding of any string gives its bytes back", arguments: BPETokenizer.Encoding.allCases)
    func roundTrip(_ encoding: BPETokenizer.Encoding) throws {
        let tokenizer = try BPETokenizer.load(encoding)
        var random = SeededRandom(seed: 2026)
        let alphabet: [Unicode.Scalar] = ["a", "Z", " ", "\n", "\t", "'", "s", "1", "9", ".", "/", "é", "ß", "中", "ア", "한", "ж", "م", "\u{0301}", "\u{00A0}", "\u{3000}", "\u{200B}", "😀", "🏽", "\u{200D}", "\r", "ſ", "Ⅻ"]
        for _ in 0 ..< 300 {
            var text = String.UnicodeScalarView()
            for _ in 0 ..< Int.random(in: 0 ... 60, using: &random) {
                if Bool.random(using: &random) {
                    text.append(alphabet.randomElement(using: &random)!)
                } else {
                    text.append(Unicode.Scalar(UInt32.random(in: 0x20 ... 0x2FFF, using: &random)) ?? "?")
                }
            }
            let string = String(text)
            #expect(tokenizer.decode(tokenizer.encodeOrdinary(string)) == Array(string.utf8), "\(string.debugDescription)")
        }
    }
}

@Suite("Exact BPE on what was measured to differ")
struct BPEDifferencesTests {
    @Test("A byte-order mark is text, as tiktoken encodes it; a code point new in Unicode 17 tokenizes as Unicode 16 has it",
          arguments: [
              (BPETokenizer.Encoding.cl100k, "\u{FEFF}", [3305]), (.cl100k, "\u{FEFF}hello world", [3305, 15339, 1917]),
              (.cl100k, "\u{FEFF}\u{FEFF}# Title\n", [3305, 43372, 11106, 198]), (.cl100k, "x\u{323B0}'s", [87, 172, 110, 236, 108, 6, 82]),
              (.o200k, "\u{FEFF}", [5574]), (.o200k, "\u{FEFF}hello world", [5574, 24912, 2375]),
              (.o200k, "\u{FEFF}\u{FEFF}# Title\n", [5574, 110862, 19612, 198]), (.o200k, "x\u{323B0}'s", [87, 172, 110, 236, 108, 6, 82]),
          ])
    func measuredDifferences(_ encoding: BPETokenizer.Encoding, text: String, ids: [Int]) throws {
        #expect(try BPETokenizer.load(encoding).encodeOrdinary(text) == ids)
    }
}

@Suite("Byte-pair merge")
struct BytePairMergeTests {
    @Test("The heap's merges are the rescanning merges, on pieces short and long", arguments: BPETokenizer.Encoding.allCases)
    func waysAgree(_ encoding: BPETokenizer.Encoding) throws {
        let tokenizer = try BPETokenizer.load(encoding)
        var random = SeededRandom(seed: 27)
        var rescanning = BytePairMerge(longPiece: .max), heap = BytePairMerge(longPiece: 0)
        let runs: [[UInt8]] = ["a", " ", "ab", "中文", "ค", "\u{0301}", "😀", "aaaaaaa", "the", "\n"].map { Array($0.utf8) }
        for round in 0 ..< 400 {
            var piece: [UInt8] = []
            let length = Int.random(in: 1 ... (round % 10 == 0 ? 3_000 : 300), using: &random)
            while piece.count < length {
                if random.next() % 8 == 0 {
                    piece.append(UInt8(truncatingIfNeeded: random.next()))
                } else {
                    let run = runs[Int(random.next() % UInt64(runs.count))]
                    for _ in 0 ..< Int.random(in: 1 ... 20, using: &random) { piece += run }
                }
            }
            var slow: [Int] = [], fast: [Int] = []
            piece.withUnsafeBufferPointer { bytes in
                rescanning.encode(bytes, tokenizer.table, tokenizer.merges) { slow.append($0) }
                heap.encode(bytes, tokenizer.table, tokenizer.merges) { fast.append($0) }
            }
            #expect(fast == slow, "round \(round), \(piece.count) bytes")
            #expect(tokenizer.decode(fast) == piece)
        }
    }
}

/// tiktoken's digests of every code point in its probe contexts (unicode_golden.json, from Scripts/unicode-golden.py).
struct UnicodeGolden: Decodable {
    let chunk: Int
    let cl100k_base: [String]
    let o200k_base: [String]

    static let all: UnicodeGolden = {
        let url = Bundle.module.url(forResource: "unicode_golden", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(UnicodeGolden.self, from: Data(contentsOf: url))
    }()

    /// The text of chunk `k`: each of its code points (surrogates apart) in the probe contexts.
    func text(ofChunk k: Int) -> String {
        var text = String.UnicodeScalarView()
        for point in k * chunk ..< (k + 1) * chunk {
            guard let c = Unicode.Scalar(UInt32(point)) else { continue }
            text.append(contentsOf: ["x", c, "'", "s", " ", "A", c, "'", "s", " ", c, "1", "2", "3", "4", "\n"])
        }
        return String(text)
    }

    /// The count and FNV-1a digest of `ids`, as the script writes them.
    static func digest(_ ids: [Int]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for id in ids {
            for shift in stride(from: 0, to: 32, by: 8) { hash = (hash ^ UInt64((id >> shift) & 0xFF)) &* 0x0000_0100_0000_01B3 }
        }
        let hex = String(hash, radix: 16)
        return "\(ids.count):\(String(repeating: "0", count: 16 - hex.count))\(hex)"
    }
}

@Suite("Exact BPE on every code point")
struct UnicodeGoldenTests {
    @Test("Every code point, in its probe contexts, gives tiktoken's ids (Unicode 16's classes, not the standard library's)",
          arguments: BPETokenizer.Encoding.allCases)
    func everyCodePoint(_ encoding: BPETokenizer.Encoding) throws {
        let tokenizer = try BPETokenizer.load(encoding)
        let golden = UnicodeGolden.all
        let expected = encoding == .cl100k ? golden.cl100k_base : golden.o200k_base
        #expect(expected.count == 0x110000 / golden.chunk)
        var differing: [String] = []
        for k in expected.indices where UnicodeGolden.digest(tokenizer.encodeOrdinary(golden.text(ofChunk: k))) != expected[k] {
            differing.append("U+\(String(k * golden.chunk, radix: 16, uppercase: true))")
        }
        #expect(differing.isEmpty, "chunks from \(differing.prefix(5)) differ (\(differing.count) in all)")
    }
}

@Suite("Token tables")
struct TokenTableTests {
    @Test("Every token is found by its bytes, other byte strings are not, and every split of every token joins as its bytes say",
          arguments: BPETokenizer.Encoding.allCases)
    func tablesAgreeWithADictionary(_ encoding: BPETokenizer.Encoding) throws {
        let tokenizer = try BPETokenizer.load(encoding)
        let table = tokenizer.table
        var dictionary: [[UInt8]: Int] = [:]
        for rank in 0 ..< table.count { dictionary[Array(table.bytes(of: rank))] = rank }
        func lookup(_ key: [UInt8]) -> Int? { table.rankOf(key[...]) }
        var mismatches = 0
        var random = SeededRandom(seed: 99)
        for rank in 0 ..< table.count {
            let bytes = Array(table.bytes(of: rank))
            if lookup(bytes) != rank { mismatches += 1 }
            for split in 1 ..< bytes.count {
                let left = dictionary[Array(bytes[..<split])], right = dictionary[Array(bytes[split...])]
                if let left, let right, tokenizer.merges.joined(left, right) != rank { mismatches += 1 }
            }
            // A token with a byte changed is a token only if the dictionary says so; two tokens joined, likewise.
            var changed = bytes
            changed[Int(random.next() % UInt64(changed.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            if lookup(changed) != dictionary[changed] { mismatches += 1 }
            let other = Int(random.next() % UInt64(table.count))
            if tokenizer.merges.joined(rank, other) != dictionary[bytes + Array(table.bytes(of: other))] { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
