import Foundation
import HeadroomCore
import Testing
@testable import HeadroomTokenizers

/// Text chunks with exact tiktoken 0.14.0 counts (Scripts/make_token_golden.py).
struct GoldenChunk: Decodable {
    let text: String
    let cl100k_base: Int
    let o200k_base: Int
    let cl100k_base_ids: [Int]
    let o200k_base_ids: [Int]

    static let all: [GoldenChunk] = {
        let url = Bundle.module.url(forResource: "token_golden", withExtension: "jsonl", subdirectory: "Fixtures")!
        let lines = try! String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        return lines.map { try! JSONDecoder().decode(GoldenChunk.self, from: Data($0.utf8)) }
    }()

    func exact(_ encoding: ClassEstimate.Encoding) -> Int { encoding == .cl100k ? cl100k_base : o200k_base }
}

/// Mean and 95th percentile of the absolute relative error of `tokenizer` over the golden chunks.
func error(of tokenizer: some Tokenizer, against encoding: ClassEstimate.Encoding) -> (mean: Double, p95: Double) {
    let errors = GoldenChunk.all.map { chunk in
        Double(abs(tokenizer.count(chunk.text) - chunk.exact(encoding))) / Double(max(1, chunk.exact(encoding)))
    }.sorted()
    return (errors.reduce(0, +) / Double(errors.count), errors[Int((0.95 * Double(errors.count)).rounded(.up)) - 1])
}

@Suite("Token estimates")
struct EstimateTests {
    @Test("Characters / 4 and bytes / 4, rounded up")
    func simpleEstimates() {
        #expect(CharacterEstimate().count("") == 0)
        #expect(CharacterEstimate().count("Hello, world!") == 4)
        #expect(CharacterEstimate().count("调度器") == 1)
        #expect(ByteEstimate().count("调度器") == 3)
        #expect(ByteEstimate().count("abcd") == 1 && ByteEstimate().count("abcde") == 2)
    }

    @Test("The class features count each class as documented")
    func features() {
        // words 3 (Hi, there, x), letters 8, digit groups 2 (1234 -> 2), punctuation 2 (, !),
        // newlines 1, other whitespace 1 (tab), CJK 2, other letters 2 (é is ASCII-external; ж), other bytes 4 (🚀), space runs 1.
        #expect(ClassEstimate.features("Hi, there!\n\t1234 调度 éж🚀   x") == [3, 8, 2, 2, 1, 1, 2, 2, 4, 1])
        #expect(ClassEstimate(.cl100k).count("") == 0)
        #expect(ClassEstimate(.cl100k).count("Hello, world!") == 4)
    }

    @Test("The class estimate keeps its measured error on the calibration corpus, about half the simple rules'",
          arguments: ClassEstimate.Encoding.allCases)
    func measuredError(_ encoding: ClassEstimate.Encoding) {
        #expect(GoldenChunk.all.count == 440)
        let classError = error(of: ClassEstimate(encoding), against: encoding)
        let characterError = error(of: CharacterEstimate(), against: encoding)
        let byteError = error(of: ByteEstimate(), against: encoding)
        #expect(classError.mean < 0.11 && classError.p95 < 0.30, "\(classError)")
        #expect(classError.mean < characterError.mean * 0.65 && classError.mean < byteError.mean * 0.65,
                "class \(classError), characters \(characterError), bytes \(byteError)")
    }

    @Test("Chat messages: 3 a message, role and content, a name and 1 more, 3 for the reply")
    func chat() {
        struct Words: Tokenizer {
            func count(_ text: String) -> Int { text.split(separator: " ").count }
        }
        let messages: [(role: String, content: String, name: String?)] = [
            ("system", "be brief", nil), ("user", "what is the time", "ana"),
        ]
        // 3 + (3 + 1 + 2) + (3 + 1 + 4 + 1 + 1) = 19
        #expect(ChatTokenCount.count(messages, using: Words()) == 19)
        #expect(ChatTokenCount.count([], using: Words()) == 3)
    }
}
