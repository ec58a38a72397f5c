/// How deeply a JSON text nests, found in one pass over its bytes without
/// parsing it, so that a hostile body is refused before a decoder spends time
/// on it (decoding nested values costs far more than linear time).
public enum JSONNesting {
    /// The deepest nesting a request body may have: far more than any real request uses.
    public static let deepestAllowed = 64

    /// Whether `bytes` nest arrays and objects deeper than `limit` (brackets inside strings do not count).
    public static func exceeds(_ limit: Int, in bytes: some Collection<UInt8>) -> Bool {
        var depth = 0, inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return false
    }
}
