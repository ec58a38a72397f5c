import Foundation
import HeadroomTokenizers

/// Both encodings on any text: the ids of a text in the golden corpus (the tokenizer tests' ids
/// from tiktoken 0.14.0, which seed this harness) must be tiktoken's; the ids of any text must
/// decode to its bytes, number as many as the count says, and come out the same on two threads.
func fuzzTokenizer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for (index, tokenizer) in tokenizers.enumerated() {
        let ids = tokenizer.encodeOrdinary(text)
        if let expected = golden[text]?[index], ids != expected { fatalError("\(tokenizer.encoding.rawValue): not tiktoken's ids for \(text.debugDescription)") }
        guard tokenizer.decode(ids) == Array(text.utf8) else { fatalError("\(tokenizer.encoding.rawValue): the ids do not decode to the text") }
        guard tokenizer.count(text) == ids.count else { fatalError("\(tokenizer.encoding.rawValue): the count is not the number of ids") }
        guard tokenizer.encodeOrdinary(text, threads: 2) == ids else { fatalError("\(tokenizer.encoding.rawValue): two threads differ from one") }
    }
    return 0
}

private let tokenizers = BPETokenizer.Encoding.allCases.map { try! BPETokenizer.load($0) }

/// The golden corpus's ids by text, in the order of `tokenizers`: read from the tests' fixture
/// (the harness runs from the package's folder, as Scripts/fuzz.sh runs it).
private let golden: [String: [[Int]]] = {
    struct Chunk: Decodable {
        let text: String
        let cl100k_base_ids: [Int]
        let o200k_base_ids: [Int]
    }
    guard let data = FileManager.default.contents(atPath: "Tests/TokenizersTests/Fixtures/token_golden.jsonl") else {
        fatalError("run from the package's folder: Tests/TokenizersTests/Fixtures/token_golden.jsonl is missing")
    }
    var golden: [String: [[Int]]] = [:]
    for line in data.split(separator: UInt8(ascii: "\n")) {
        let chunk = try! JSONDecoder().decode(Chunk.self, from: line)
        golden[chunk.text] = [chunk.cl100k_base_ids, chunk.o200k_base_ids]
    }
    return golden
}()
