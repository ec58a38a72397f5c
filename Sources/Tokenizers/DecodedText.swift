/// A text's UTF-8 and its Unicode scalars, with where each scalar starts: what pre-tokenizing
/// reads (scalars) and merging reads (bytes), decoded once.
struct DecodedText: Sendable {
    let utf8: [UInt8]
    let scalars: [Unicode.Scalar]
    /// The byte offset of each scalar, and the text's length last.
    let offsets: [Int]

    init(_ text: String) {
        let utf8 = Array(text.utf8)
        var scalars: [Unicode.Scalar] = []
        var offsets: [Int] = []
        scalars.reserveCapacity(utf8.count)
        offsets.reserveCapacity(utf8.count + 1)
        utf8.withUnsafeBufferPointer { bytes in
            // A String's UTF-8 is valid: the lead byte says how many follow.
            var i = 0
            while i < bytes.count {
                offsets.append(i)
                let lead = bytes[i]
                var value: UInt32
                var width: Int
                if lead < 0x80 { value = UInt32(lead); width = 1 }
                else if lead < 0xE0 { value = UInt32(lead & 0x1F); width = 2 }
                else if lead < 0xF0 { value = UInt32(lead & 0x0F); width = 3 }
                else { value = UInt32(lead & 0x07); width = 4 }
                for k in 1 ..< width { value = value << 6 | UInt32(bytes[i + k] & 0x3F) }
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                i += width
            }
            offsets.append(bytes.count)
        }
        self.utf8 = utf8
        self.scalars = scalars
        self.offsets = offsets
    }

    /// Scalar positions that cut the text into about `parts` ranges of at least `minimumScalars`
    /// each, from 0 to the end, every cut where a piece of both encodings' patterns must end: after
    /// a line feed, before a letter. (No alternative runs on past a line feed into a letter: the
    /// optional prefix of a word is never a line break, and runs of whitespace or punctuation end
    /// at the last line break before it. The patterns look at nothing before where they start.)
    func cuts(into parts: Int, minimumScalars: Int) -> [Int] {
        let count = scalars.count
        var cuts = [0]
        let step = max(minimumScalars, count / max(1, parts))
        var target = step
        while target < count {
            var j = target
            while j < count && !(scalars[j - 1] == "\n" && PreTokenizer.isLetter(scalars[j])) { j += 1 }
            if j >= count { break }
            cuts.append(j)
            target = j + step
        }
        cuts.append(count)
        return cuts
    }
}
