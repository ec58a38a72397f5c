import Foundation
import Synchronization

extension BPETokenizer {
    /// The number of tokens of `text` encoded as ordinary text, counted on up to `threads`
    /// threads: the same number as ``count(_:)``, sooner for a large text on several cores.
    ///
    /// The text is cut where a line feed is followed by a letter, where every piece of both
    /// encodings ends, so the parts' counts add up to the whole's; a text without such places,
    /// or shorter than about 64 KB a thread, is counted on one.
    public func count(_ text: String, threads: Int) -> Int {
        guard threads > 1 else { return count(text) }
        let decoded = DecodedText(text)
        let cuts = decoded.cuts(into: threads * 4, minimumScalars: Self.smallestPart)
        guard cuts.count > 2 else { return encode(decoded, scalars: 0 ..< decoded.scalars.count) { _ in } }
        let counts = Mutex([Int](repeating: 0, count: cuts.count - 1))
        DispatchQueue.concurrentPerform(iterations: cuts.count - 1) { part in
            let count = encode(decoded, scalars: cuts[part] ..< cuts[part + 1]) { _ in }
            counts.withLock { $0[part] = count }
        }
        return counts.withLock { $0.reduce(0, +) }
    }

    /// The tokens of `text` encoded as ordinary text, on up to `threads` threads: the same as
    /// ``encodeOrdinary(_:)``, cut as ``count(_:threads:)`` cuts.
    public func encodeOrdinary(_ text: String, threads: Int) -> [Int] {
        guard threads > 1 else { return encodeOrdinary(text) }
        let decoded = DecodedText(text)
        let cuts = decoded.cuts(into: threads * 4, minimumScalars: Self.smallestPart)
        guard cuts.count > 2 else {
            var tokens: [Int] = []
            encode(decoded, scalars: 0 ..< decoded.scalars.count) { tokens.append($0) }
            return tokens
        }
        let parts = Mutex([[Int]](repeating: [], count: cuts.count - 1))
        DispatchQueue.concurrentPerform(iterations: cuts.count - 1) { part in
            var tokens: [Int] = []
            encode(decoded, scalars: cuts[part] ..< cuts[part + 1]) { tokens.append($0) }
            parts.withLock { $0[part] = tokens }
        }
        return parts.withLock { $0.flatMap { $0 } }
    }

    /// The fewest scalars worth a part of their own: about 64 KB of text.
    static let smallestPart = 65_536
}
