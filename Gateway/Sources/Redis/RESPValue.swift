/// A value in Redis's protocol (RESP2): what a command's reply is.
public enum RESPValue: Hashable, Sendable {
    /// `+OK`.
    case simpleString(String)
    /// `-ERR ...`: the command failed.
    case error(String)
    /// `:42`.
    case integer(Int)
    /// `$5 hello`; `nil` for the null bulk string (`$-1`).
    case bulkString([UInt8]?)
    /// `*2 ...`; `nil` for the null array (`*-1`).
    case array([RESPValue]?)

    /// The bytes of a bulk or simple string.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }

    /// Whether this is a null bulk string or null array (a missing key).
    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): true
        default: false
        }
    }
}
