import Foundation
import HeadroomCore
import Synchronization

/// The exact byte-pair encodings of OpenAI's models, token for token as
/// tiktoken 0.14.0 encodes: `cl100k_base` (GPT-4, GPT-3.5) and `o200k_base`
/// (GPT-4o). The vocabularies ship with the package; each loads once per
/// process, on first use.
///
/// ```swift
/// let o200k = try BPETokenizer.load(.o200k)
/// o200k.encodeOrdinary("hello world")   // [24912, 2375]
/// o200k.count("hello world")            // 2
/// String(decoding: o200k.decode([24912, 2375]), as: UTF8.self) // "hello world"
/// ```
public struct BPETokenizer: Tokenizer {
    /// The encodings.
    public enum Encoding: String, Sendable, CaseIterable {
        /// GPT-4 and GPT-3.5's encoding.
        case cl100k = "cl100k_base"
        /// GPT-4o's encoding.
        case o200k = "o200k_base"

        var specialTokens: [String: Int] {
            switch self {
            case .cl100k: ["<|endoftext|>": 100_257, "<|fim_prefix|>": 100_258, "<|fim_middle|>": 100_259,
                           "<|fim_suffix|>": 100_260, "<|endofprompt|>": 100_276]
            case .o200k: ["<|endoftext|>": 199_999, "<|endofprompt|>": 200_018]
            }
        }

        var pattern: PreTokenizer { self == .cl100k ? .cl100k : .o200k }
    }

    /// The encoding.
    public let encoding: Encoding
    let table: TokenTable
    /// Which two tokens join into which, built with the table.
    let merges: MergeTable
    private let specialTokens: [String: Int]

    private static let loaded = Mutex<[Encoding: BPETokenizer]>([:])

    /// The tokenizer of `encoding`, loaded on first use and shared after.
    ///
    /// - Throws: ``HeadroomError`` when the vocabulary is missing from the
    ///   package's resources or damaged.
    public static func load(_ encoding: Encoding) throws(HeadroomError) -> BPETokenizer {
        if let tokenizer = loaded.withLock({ $0[encoding] }) { return tokenizer }
        guard let url = Bundle.module.url(forResource: encoding.rawValue, withExtension: "tiktoken", subdirectory: "Resources"),
              let data = try? Data(contentsOf: url) else {
            throw HeadroomError(.invalidConfiguration, "The \(encoding.rawValue) vocabulary is missing from the package's resources; reinstall Headroom.")
        }
        let tokenizer = BPETokenizer(encoding: encoding, table: try Self.parse(data, name: encoding.rawValue))
        return loaded.withLock { cache in
            if let existing = cache[encoding] { return existing }
            cache[encoding] = tokenizer
            return tokenizer
        }
    }

    private init(encoding: Encoding, table: TokenTable) {
        self.encoding = encoding
        self.table = table
        self.merges = MergeTable(table)
        self.specialTokens = encoding.specialTokens
    }

    /// Reads a `.tiktoken` vocabulary: `base64(token) rank` a line, ranks 0, 1, 2, ...
    static func parse(_ data: Data, name: String) throws(HeadroomError) -> TokenTable {
        var table = TokenTable(expectedCount: 210_000)
        var line = 0
        var failure: String?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var decoded: [UInt8] = []
            decoded.reserveCapacity(256)
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 10 { end += 1 }
                line += 1
                if end > start {
                    var space = start
                    while space < end && bytes[space] != 32 { space += 1 }
                    var rank = 0
                    for i in (space + 1) ..< max(space + 1, end) where bytes[i] >= 48 && bytes[i] <= 57 {
                        rank = rank * 10 + Int(bytes[i] - 48)
                    }
                    guard space < end, Base64.decode(UnsafeBufferPointer(rebasing: bytes[start ..< space]), into: &decoded),
                          table.add(decoded, rank: rank) else {
                        failure = "line \(line) is not 'base64 rank' with the next rank"
                        return
                    }
                }
                start = end + 1
            }
        }
        if failure == nil && !table.coversEveryByte { failure = "not every byte is a token" }
        if let failure { throw HeadroomError(.invalidConfiguration, "The \(name) vocabulary is damaged: \(failure). Reinstall Headroom.") }
        return table
    }

    // MARK: Encoding

    /// The tokens of `text`, special-token text encoded as ordinary text.
    public func encodeOrdinary(_ text: String) -> [Int] {
        var tokens: [Int] = []
        tokens.reserveCapacity(text.utf8.count / 3)
        encodeOrdinary(text) { tokens.append($0) }
        return tokens
    }

    /// The tokens of `text`, with the special tokens named in `allowedSpecial`
    /// (e.g. `"<|endoftext|>"`) encoded as themselves; `nil` allows them all.
    public func encode(_ text: String, allowedSpecial: Set<String>? = []) -> [Int] {
        var tokens: [Int] = []
        var rest = Substring(text)
        let allowed = specialTokens.filter { allowedSpecial?.contains($0.key) ?? true }
        while !rest.isEmpty {
            var first: (range: Range<Substring.Index>, id: Int)?
            for (special, id) in allowed {
                if let range = rest.range(of: special), first == nil || range.lowerBound < first!.range.lowerBound {
                    first = (range, id)
                }
            }
            guard let (range, id) = first else {
                encodeOrdinary(String(rest)) { tokens.append($0) }
                break
            }
            encodeOrdinary(String(rest[..<range.lowerBound])) { tokens.append($0) }
            tokens.append(id)
            rest = rest[range.upperBound...]
        }
        return tokens
    }

    /// The number of tokens of `text` encoded as ordinary text, without building them.
    public func count(_ text: String) -> Int {
        encodeOrdinary(text) { _ in }
    }

    /// The bytes of `tokens` (which need not be valid UTF-8 one by one);
    /// unknown ids are skipped.
    public func decode(_ tokens: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        let specials = Dictionary(uniqueKeysWithValues: specialTokens.map { ($1, $0) })
        for token in tokens {
            if token >= 0 && token < table.count {
                bytes.append(contentsOf: table.bytes(of: token))
            } else if let special = specials[token] {
                bytes.append(contentsOf: special.utf8)
            }
        }
        return bytes
    }

    /// Encodes `text` as ordinary text, calling `emit` with each token; returns the count.
    @discardableResult
    private func encodeOrdinary(_ text: String, emit: (Int) -> Void) -> Int {
        let decoded = DecodedText(text)
        return encode(decoded, scalars: 0 ..< decoded.scalars.count, emit: emit)
    }

    /// Encodes the scalars `range` of `text`, which must start and end where pieces do; returns the count.
    @discardableResult
    func encode(_ text: DecodedText, scalars range: Range<Int>, emit: (Int) -> Void) -> Int {
        var merge = BytePairMerge()
        var total = 0
        text.utf8.withUnsafeBufferPointer { all in
            encoding.pattern.split(text.scalars, in: range) { piece in
                let bytes = text.offsets[piece.lowerBound] ..< text.offsets[piece.upperBound]
                total += merge.encode(UnsafeBufferPointer(rebasing: all[bytes]), table, merges, emit: emit)
            }
        }
        return total
    }
}
