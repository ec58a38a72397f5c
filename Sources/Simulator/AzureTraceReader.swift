import Foundation
import HeadroomCore

/// Streams the Azure public LLM inference trace (2023) CSV:
/// `TIMESTAMP,ContextTokens,GeneratedTokens`, with timestamps like
/// `2023-11-16 18:15:46.6805900`. Arrivals are made relative to the first row.
///
/// The trace records what was generated, not the `max_tokens` sent:
/// `maxTokens` decides it (see ``MaxTokensRule``).
public struct AzureTraceReader: WorkloadSource {
    private let lines: LineReader
    private let maxTokens: MaxTokensRule
    private let model: String
    private var origin: Int64?
    private var last: Int64 = .min

    /// Opens `path`, checking the header.
    public init(path: String, maxTokens: MaxTokensRule = .outputTimes(1.25), model: String = "gpt-4o") throws(HeadroomError) {
        lines = try LineReader(path: path)
        self.maxTokens = maxTokens
        self.model = model
        guard let header = lines.nextLine() else { throw lines.error("the file is empty; expected the header TIMESTAMP,ContextTokens,GeneratedTokens.") }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .init(charactersIn: " \t")) }
        guard names == ["TIMESTAMP", "ContextTokens", "GeneratedTokens"] else {
            throw lines.error("expected the header TIMESTAMP,ContextTokens,GeneratedTokens, found '\(header)'. Is this an Azure 2023 LLM inference trace?")
        }
    }

    public mutating func next() throws(HeadroomError) -> SimulatedRequest? {
        // Read in place from the line's bytes: a trace row allocates nothing.
        while let line = lines.nextLineBytes() {
            if line.allSatisfy({ $0 == UInt8(ascii: " ") }) { continue }
            let fields = line.split(separator: UInt8(ascii: ","), maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                let count = line.reduce(1) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) }
                throw lines.error("expected 3 comma-separated fields, found \(count) in '\(String(decoding: line, as: UTF8.self))'.")
            }
            func text(_ field: Int) -> String { String(decoding: fields[field], as: UTF8.self) }
            guard let time = Self.parseTimestamp(fields[0].trimmingSpaces()) else {
                throw lines.error("TIMESTAMP '\(text(0))' is not of the form 2023-11-16 18:15:46.6805900 (in the years 1970 to 2200).")
            }
            guard let context = Self.wholeNumber(fields[1].trimmingSpaces()), Self.tokenCounts.contains(context) else {
                throw lines.error("ContextTokens '\(text(1))' is not a whole number from 0 to 999,999,999,999.")
            }
            guard let generated = Self.wholeNumber(fields[2].trimmingSpaces()), Self.tokenCounts.contains(generated) else {
                throw lines.error("GeneratedTokens '\(text(2))' is not a whole number from 0 to 999,999,999,999.")
            }
            if time < last { throw lines.error("the timestamp goes back in time; the trace must be sorted by TIMESTAMP.") }
            last = time
            let origin = self.origin ?? time
            self.origin = origin
            return SimulatedRequest(arrival: Instant(nanoseconds: time - origin), promptTokens: context,
                                    maxTokens: maxTokens.maxTokens(forOutput: generated), outputTokens: generated, model: model)
        }
        return nil
    }

    /// The token counts a row may give (as the JSONL readers): far above any
    /// model's, and small enough that sums and charges cannot overflow.
    static let tokenCounts = 0 ..< 1_000_000_000_000

    /// A decimal integer with an optional sign, or `nil` (also on overflow).
    static func wholeNumber(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        Int(String(decoding: bytes, as: UTF8.self))
    }

    /// Nanoseconds since 1970 of `yyyy-MM-dd HH:mm:ss[.fffffff]` (UTC) in the
    /// years 1970 to 2200 (so that differences cannot overflow), or `nil`.
    static func parseTimestamp(_ text: Substring) -> Int64? {
        Array(text.utf8).withUnsafeBufferPointer { parseTimestamp($0[...]) }
    }

    /// Nanoseconds since 1970 of the timestamp in `bytes`, or `nil`.
    static func parseTimestamp(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int64? {
        let bytes = UnsafeBufferPointer(rebasing: bytes)
        guard bytes.count >= 19, bytes[4] == 45, bytes[7] == 45, bytes[10] == 32, bytes[13] == 58, bytes[16] == 58 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for i in range {
                guard bytes[i] >= 48 && bytes[i] <= 57 else { return nil }
                value = value * 10 + Int64(bytes[i] - 48)
            }
            return value
        }
        guard let year = number(0 ..< 4), let month = number(5 ..< 7), let day = number(8 ..< 10),
              let hour = number(11 ..< 13), let minute = number(14 ..< 16), let second = number(17 ..< 19),
              (1970 ... 2200).contains(year), (1 ... 12).contains(month), (1 ... 31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction: Int64 = 0
        if bytes.count > 19 {
            guard bytes[19] == 46, bytes.count > 20, bytes.count <= 29, let digits = number(20 ..< bytes.count) else { return nil }
            fraction = digits
            for _ in 0 ..< (9 - (bytes.count - 20)) { fraction *= 10 }
        }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000_000_000 + second * 1_000_000_000 + fraction
    }
}

extension Slice where Base == UnsafeBufferPointer<UInt8> {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Self {
        var result = self
        while let first = result.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { result = result.dropFirst() }
        while let last = result.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { result = result.dropLast() }
        return result
    }
}
