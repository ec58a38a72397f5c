import Foundation
import HeadroomCore
import HeadroomTokenizers

/// `headroom tokens`: the exact token ids (or their count) of a file or of standard input.
enum TokensCommand {
    static let usage = """
    usage: headroom tokens --encoding cl100k_base|o200k_base [--count] [--threads N] [FILE]

      Reads FILE (or standard input) as UTF-8 and prints its token ids separated by
      spaces on one line, or with --count only how many there are. Special-token text
      such as <|endoftext|> is encoded as ordinary text; a byte-order mark is text too,
      as tiktoken has it. --threads N (0: every core) works on N threads at once, for
      large inputs; the result is the same.
    """

    static func run(_ arguments: [String]) throws -> Int32 {
        let options = try Arguments(arguments, options: ["encoding", "threads"], switches: ["count"], positionals: 1)
        let path = options.positional.first
        guard let name = options["encoding"] else { throw UsageError("--encoding is required") }
        guard let encoding = BPETokenizer.Encoding(rawValue: name) else {
            throw UsageError("unknown encoding '\(name)'; use cl100k_base or o200k_base")
        }
        let data: Data
        if let path {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw HeadroomError(.invalidConfiguration, "Cannot read '\(path)'. Check the path.")
            }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        guard let text = String(validatingUTF8Data: data) else {
            let offset = firstInvalidUTF8(data)
            throw HeadroomError(.invalidConfiguration, "\(path ?? "standard input") is not valid UTF-8 (first bad byte at offset \(offset)); give text in UTF-8.")
        }
        let tokenizer = try BPETokenizer.load(encoding)
        var threads = Int(clamping: try options.integer("threads") ?? 1)
        if threads == 0 { threads = ProcessInfo.processInfo.activeProcessorCount }
        if options.flags.contains("count") {
            print(tokenizer.count(text, threads: threads))
        } else {
            print(tokenizer.encodeOrdinary(text, threads: threads).map(String.init).joined(separator: " "))
        }
        return 0
    }

    /// The offset of the first byte that breaks UTF-8 in `data`.
    static func firstInvalidUTF8(_ data: Data) -> Int {
        var iterator = data.makeIterator()
        var decoder = UTF8()
        var offset = 0
        var consumed = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                consumed += UTF8.width(scalar)
                offset = consumed
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }
}

extension String {
    /// The text of `data` if it is valid UTF-8, else `nil`; a byte-order mark is kept, as text
    /// (tiktoken encodes it), rather than dropped as Foundation's decoding drops it.
    init?(validatingUTF8Data data: Data) {
        guard let text = String(validating: data, as: UTF8.self) else { return nil }
        self = text
    }
}
