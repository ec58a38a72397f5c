/// Splits text into the pieces the BPE merges within, exactly as tiktoken's
/// `pat_str` does: alternatives tried in order at each position, the first that
/// matches wins. Written by hand over Unicode scalars (Swift `Regex` is far too
/// slow). `\s` is Unicode White_Space, `\p{L}`/`\p{N}`/`\p{M}` general
/// categories, all from the Unicode version tiktoken uses (``UnicodeClasses``),
/// `(?i:...)` Unicode case folding, `$` the end of the text.
enum PreTokenizer: Sendable {
    /// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
    case cl100k
    /// The o200k pattern: letters split by case classes, contractions as suffixes,
    /// `/` kept with punctuation runs.
    case o200k

    /// Calls `piece` with the scalar range of each piece, in order.
    func split(_ s: [Unicode.Scalar], _ piece: (Range<Int>) -> Void) {
        split(s, in: 0 ..< s.count, piece)
    }

    /// Calls `piece` with the scalar range of each piece of `s` that starts in `range`, in order.
    /// The pieces are those of the whole of `s`: a range that starts and ends where pieces do
    /// (see ``DecodedText/cuts(into:minimumScalars:)``) gets exactly its own.
    func split(_ s: [Unicode.Scalar], in range: Range<Int>, _ piece: (Range<Int>) -> Void) {
        var i = range.lowerBound
        while i < range.upperBound {
            let end = self == .cl100k ? Self.cl100k(s, i) : Self.o200k(s, i)
            piece(i ..< end)
            i = end
        }
    }

    // MARK: cl100k

    private static func cl100k(_ s: [Unicode.Scalar], _ i: Int) -> Int {
        let n = s.count, c = s[i]
        // '(?i:[sdmt]|ll|ve|re)
        if c == "'", i + 1 < n {
            let a = fold(s[i + 1])
            if a == "s" || a == "d" || a == "m" || a == "t" { return i + 2 }
            if i + 2 < n {
                let b = fold(s[i + 2])
                if (a == "l" && b == "l") || (a == "v" && b == "e") || (a == "r" && b == "e") { return i + 3 }
            }
        }
        // [^\r\n\p{L}\p{N}]?+\p{L}++  (the optional part, once taken, is not given back)
        var j = i
        if !isLineBreak(c) && !isLetter(c) && !isNumber(c) { j += 1 }
        if j < n && isLetter(s[j]) {
            j += 1
            while j < n && isLetter(s[j]) { j += 1 }
            return j
        }
        // \p{N}{1,3}+
        if let end = digits(s, i) { return end }
        // ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
        if let end = punctuation(s, i, then: isLineBreak) { return end }
        return whitespace(s, i, untilEnd: true)
    }

    // MARK: o200k

    private static func o200k(_ s: [Unicode.Scalar], _ i: Int) -> Int {
        let c = s[i]
        let hasPrefix = !isLineBreak(c) && !isLetter(c) && !isNumber(c)
        // [^\r\n\p{L}\p{N}]?[Upper]*[Lower]+(contraction)?, the optional prefix given back if need be
        if hasPrefix, let end = upperThenLower(s, i + 1) { return end }
        if let end = upperThenLower(s, i) { return end }
        // [^\r\n\p{L}\p{N}]?[Upper]+[Lower]*(contraction)?
        if hasPrefix, let end = upperRun(s, i + 1) { return end }
        if let end = upperRun(s, i) { return end }
        // \p{N}{1,3}
        if let end = digits(s, i) { return end }
        // ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
        if let end = punctuation(s, i, then: { isLineBreak($0) || $0 == "/" }) { return end }
        return whitespace(s, i, untilEnd: false)
    }

    /// `[Upper]*[Lower]+(contraction)?` at `p`: the upper-case run is given back
    /// one scalar at a time until a lower-case class member follows it.
    private static func upperThenLower(_ s: [Unicode.Scalar], _ p: Int) -> Int? {
        let n = s.count
        var upper = p
        while upper < n && isUpperClass(s[upper]) { upper += 1 }
        var k = upper
        while k >= p {
            if k < n && isLowerClass(s[k]) {
                var e = k + 1
                while e < n && isLowerClass(s[e]) { e += 1 }
                return contraction(s, e)
            }
            k -= 1
        }
        return nil
    }

    /// `[Upper]+[Lower]*(contraction)?` at `p`.
    private static func upperRun(_ s: [Unicode.Scalar], _ p: Int) -> Int? {
        let n = s.count
        var e = p
        while e < n && isUpperClass(s[e]) { e += 1 }
        guard e > p else { return nil }
        while e < n && isLowerClass(s[e]) { e += 1 }
        return contraction(s, e)
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at `e`.
    private static func contraction(_ s: [Unicode.Scalar], _ e: Int) -> Int {
        guard e + 1 < s.count, s[e] == "'" else { return e }
        let a = fold(s[e + 1])
        if a == "s" || a == "t" { return e + 2 }
        if e + 2 < s.count {
            let b = fold(s[e + 2])
            if (a == "r" && b == "e") || (a == "v" && b == "e") { return e + 3 }
        }
        if a == "m" { return e + 2 }
        if e + 2 < s.count, a == "l", fold(s[e + 2]) == "l" { return e + 3 }
        if a == "d" { return e + 2 }
        return e
    }

    // MARK: Shared alternatives

    /// `\p{N}{1,3}` at `i`.
    @inline(__always)
    private static func digits(_ s: [Unicode.Scalar], _ i: Int) -> Int? {
        guard isNumber(s[i]) else { return nil }
        var k = i + 1
        while k < s.count && k < i + 3 && isNumber(s[k]) { k += 1 }
        return k
    }

    /// ` ?[^\s\p{L}\p{N}]+` at `i`, then any scalars `trailing` accepts.
    @inline(__always)
    private static func punctuation(_ s: [Unicode.Scalar], _ i: Int, then trailing: (Unicode.Scalar) -> Bool) -> Int? {
        var k = s[i] == " " ? i + 1 : i
        guard k < s.count && isOther(s[k]) else { return nil }
        k += 1
        while k < s.count && isOther(s[k]) { k += 1 }
        while k < s.count && trailing(s[k]) { k += 1 }
        return k
    }

    // MARK: Whitespace

    /// The whitespace alternatives at `i` (a whitespace scalar): cl100k's
    /// `\s++$|\s*[\r\n]|\s+(?!\S)|\s`, o200k's `\s*[\r\n]+|\s+(?!\S)|\s+`.
    private static func whitespace(_ s: [Unicode.Scalar], _ i: Int, untilEnd: Bool) -> Int {
        let n = s.count
        var run = i
        while run < n && isWhitespace(s[run]) { run += 1 }
        if run == i { return i + 1 }  // cannot happen: every scalar is a letter, number, other or space
        if untilEnd && run == n { return n }
        var last = run - 1
        while last >= i && !isLineBreak(s[last]) { last -= 1 }
        if last >= i { return last + 1 }
        if run == n { return n }
        if run - 1 > i { return run - 1 }
        return run
    }

    // MARK: Classes

    @inline(__always) static func isLineBreak(_ c: Unicode.Scalar) -> Bool { c == "\r" || c == "\n" }

    /// The classes of a scalar past ASCII, from tiktoken's Unicode version.
    private static func classes(_ c: Unicode.Scalar) -> UInt8 { UnicodeClasses.shared.of(c) }

    @inline(__always) static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x80 ? (c.value == 0x20 || (c.value >= 0x09 && c.value <= 0x0D)) : classes(c) & UnicodeClasses.space != 0
    }

    @inline(__always) static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A }
        return classes(c) & UnicodeClasses.letter != 0
    }

    @inline(__always) static func isNumber(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value >= 0x30 && c.value <= 0x39 }
        return classes(c) & UnicodeClasses.number != 0
    }

    /// Neither whitespace, nor a letter, nor a number.
    @inline(__always) static func isOther(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return !isWhitespace(c) && !isLetter(c) && !isNumber(c) }
        return classes(c) & (UnicodeClasses.space | UnicodeClasses.letter | UnicodeClasses.number) == 0
    }

    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`
    static func isUpperClass(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value >= 0x41 && c.value <= 0x5A }
        return classes(c) & UnicodeClasses.upper != 0
    }

    /// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`
    static func isLowerClass(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value >= 0x61 && c.value <= 0x7A }
        return classes(c) & UnicodeClasses.lower != 0
    }

    /// Simple case folding for the letters of the contractions (`ſ` folds to `s`).
    @inline(__always) static func fold(_ c: Unicode.Scalar) -> Unicode.Scalar {
        if c.value >= 0x41 && c.value <= 0x5A { return Unicode.Scalar(c.value | 0x20)! }
        if c.value == 0x17F { return "s" }
        return c
    }
}
