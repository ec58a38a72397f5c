/// The character classes the pre-tokenizer asks about, for every code point, as the Unicode
/// version tiktoken's regex uses defines them (``version``), not as the standard library's newer
/// tables do: a code point assigned since tokenizes as tiktoken tokenizes it.
///
/// A two-stage table: the code point's 256-point block picks one of the distinct blocks, whose
/// byte holds the classes. Built once, from the runs that `Scripts/generate-unicode-classes.py`
/// wrote, on first use.
struct UnicodeClasses: Sendable {
    /// `\p{L}`: Lu, Ll, Lt, Lm, Lo.
    static let letter: UInt8 = 1
    /// `\p{N}`: Nd, Nl, No.
    static let number: UInt8 = 2
    /// `\s`: White_Space.
    static let space: UInt8 = 4
    /// o200k's upper-case class `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`.
    static let upper: UInt8 = 8
    /// o200k's lower-case class `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
    static let lower: UInt8 = 16

    /// By block (code point >> 8): which of `blocks` holds its classes.
    private let stage1: [UInt16]
    /// The distinct blocks, 256 bytes each.
    private let blocks: [UInt8]

    /// The table, built on first use.
    static let shared = UnicodeClasses(runs: runs)

    init(runs text: String) {
        var flat = [UInt8](repeating: 0, count: 0x110000)
        var starts: [(Int, UInt8)] = []
        for item in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = item.split(separator: ":")
            starts.append((Int(parts[0], radix: 16)!, UInt8(parts[1], radix: 16)!))
        }
        for (index, (start, bits)) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1].0 : 0x110000
            for point in start ..< end { flat[point] = bits }
        }
        var stage1: [UInt16] = []
        var blocks: [UInt8] = []
        var seen: [ArraySlice<UInt8>: UInt16] = [:]
        for block in 0 ..< 0x1100 {
            let slice = flat[block << 8 ..< (block + 1) << 8]
            if let known = seen[slice] {
                stage1.append(known)
            } else {
                let number = UInt16(blocks.count >> 8)
                seen[slice] = number
                blocks.append(contentsOf: slice)
                stage1.append(number)
            }
        }
        self.stage1 = stage1
        self.blocks = blocks
    }

    /// The classes of `scalar`.
    func of(_ scalar: Unicode.Scalar) -> UInt8 {
        let value = Int(scalar.value)
        return blocks[Int(stage1[value >> 8]) << 8 | (value & 0xFF)]
    }
}
