import HeadroomCore
import Testing
@testable import HeadroomTokenizers

@Suite("Counting on several threads")
struct ParallelCountTests {
    @Test("Every place a line feed is followed by a letter is where a piece ends, in both encodings' patterns",
          arguments: BPETokenizer.Encoding.allCases)
    func cutsEndPieces(_ encoding: BPETokenizer.Encoding) {
        var random = SeededRandom(seed: 11)
        let alphabet: [Unicode.Scalar] = ["a", "Z", "é", "中", "ก", " ", " ", "\n", "\n", "\r", "\t", "\u{00A0}", "\u{3000}", "'", "s", "t",
                                          "1", "٣", ".", "/", "!", "\u{0301}", "😀", "-"]
        for _ in 0 ..< 2_000 {
            let text = (0 ..< Int.random(in: 1 ... 40, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            var ends: Set<Int> = [0]
            encoding.pattern.split(text) { ends.insert($0.upperBound) }
            for j in 1 ..< text.count where text[j - 1] == "\n" && PreTokenizer.isLetter(text[j]) {
                #expect(ends.contains(j), "\(String(String.UnicodeScalarView(text)).debugDescription) at \(j)")
            }
        }
    }

    @Test("On several threads a large text gets the same count and the same ids as on one", arguments: BPETokenizer.Encoding.allCases)
    func sameAsOneThread(_ encoding: BPETokenizer.Encoding) throws {
        let tokenizer = try BPETokenizer.load(encoding)
        let text = GoldenChunk.all.map(\.text).joined(separator: "\n")
        #expect(DecodedText(text).cuts(into: 16, minimumScalars: BPETokenizer.smallestPart).count > 3)
        #expect(tokenizer.count(text, threads: 4) == tokenizer.count(text))
        #expect(tokenizer.encodeOrdinary(text, threads: 4) == tokenizer.encodeOrdinary(text))
    }
}
