import Foundation
import HeadroomCore

/// How an entry is kept outside the process (on disk, in Redis): a small binary
/// record, read back exactly or not at all. Bytes from a store are input from
/// outside: every length is checked against what is left, and anything
/// malformed reads as no entry.
///
/// Layout: `HRC1`, then big-endian integers: stored-at and expires-at (milliseconds
/// since 1970), prompt and completion tokens (64 bits each), the deployment's name
/// (32-bit length, UTF-8), and the answer: `0` and the body, or `1`, the number of
/// events and each event (every byte string a 32-bit length and its bytes).
extension CacheEntry {
    private static let magic = Array("HRC1".utf8)

    /// The entry as a record that lapses at `expiresAt`.
    public func encoded(expiresAt: Date) -> [UInt8] {
        var writer = RecordWriter()
        writer.bytes += Self.magic
        writer.integer(Self.milliseconds(storedAt))
        writer.integer(Self.milliseconds(expiresAt))
        writer.integer(Int64(usage.promptTokens))
        writer.integer(Int64(usage.completionTokens))
        writer.string(Array(deployment.rawValue.utf8))
        switch answer {
        case .body(let body):
            writer.bytes.append(0)
            writer.string(body)
        case .events(let events):
            writer.bytes.append(1)
            writer.length(events.count)
            for event in events { writer.string(event) }
        }
        return writer.bytes
    }

    /// The instants a record holds, in milliseconds since 1970: from 1970 to some 35,000 years on,
    /// where a `Date` holds every millisecond exactly (so a record reads back as written).
    private static let instants: ClosedRange<Int64> = 0 ... 1 << 50

    /// The entry as a record kept for `key`, which it holds (its digest first), so that a record
    /// read back under another key, moved or mixed up, reads as nothing.
    public func record(for key: CacheKey, expiresAt: Date) -> [UInt8] {
        key.digest.bytes + encoded(expiresAt: expiresAt)
    }

    /// The entry a record kept for `key` holds and when it lapses, or `nil` if it is not such a record.
    public static func decode(_ record: [UInt8], for key: CacheKey) -> (entry: CacheEntry, expiresAt: Date)? {
        let digest = key.digest.bytes
        guard record.count > digest.count, record.starts(with: digest) else { return nil }
        return decode(Array(record[digest.count...]))
    }

    /// Milliseconds since 1970, within ``instants``.
    private static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1_000).rounded()
        return value.isFinite ? Int64(max(0, min(Double(instants.upperBound), value))) : 0
    }

    /// The entry a record holds and when it lapses, or `nil` if the bytes are not such a record.
    public static func decode(_ bytes: [UInt8]) -> (entry: CacheEntry, expiresAt: Date)? {
        var reader = RecordReader(bytes: bytes)
        guard reader.take(magic.count).map(Array.init) == magic,
              let stored = reader.integer(), let expires = reader.integer(), instants.contains(stored), instants.contains(expires),
              let prompt = reader.integer(), let completion = reader.integer(), prompt >= 0, completion >= 0,
              let name = reader.string(), let deployment = String(validating: name, as: UTF8.self),
              let kind = reader.take(1)?.first else { return nil }
        let answer: Answer
        switch kind {
        case 0:
            guard let body = reader.string() else { return nil }
            answer = .body(body)
        case 1:
            guard let count = reader.length() else { return nil }
            var events: [[UInt8]] = []
            for _ in 0 ..< count {
                guard let event = reader.string() else { return nil }
                events.append(event)
            }
            answer = .events(events)
        default:
            return nil
        }
        guard reader.isAtEnd else { return nil }
        let entry = CacheEntry(answer: answer, usage: Usage(promptTokens: Int(prompt), completionTokens: Int(completion)),
                               deployment: DeploymentID(deployment), storedAt: Date(timeIntervalSince1970: Double(stored) / 1_000))
        return (entry, Date(timeIntervalSince1970: Double(expires) / 1_000))
    }
}

private struct RecordWriter {
    var bytes: [UInt8] = []

    mutating func integer(_ value: Int64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> Int64(shift))) }
    }

    mutating func length(_ count: Int) {
        let value = UInt32(clamping: count)
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func string(_ text: [UInt8]) {
        length(text.count)
        bytes += text
    }
}

private struct RecordReader {
    let bytes: [UInt8]
    var index = 0

    var isAtEnd: Bool { index == bytes.count }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, count <= bytes.count - index else { return nil }
        defer { index += count }
        return bytes[index ..< index + count]
    }

    mutating func integer() -> Int64? {
        take(8).map { $0.reduce(0) { $0 << 8 | Int64($1) } }
    }

    /// A 32-bit length; never more than the bytes left, so a hostile count allocates nothing.
    mutating func length() -> Int? {
        guard let value = take(4).map({ $0.reduce(0) { $0 << 8 | Int($1) } }), value <= bytes.count - index else { return nil }
        return value
    }

    mutating func string() -> [UInt8]? {
        length().flatMap { take($0) }.map(Array.init)
    }
}
