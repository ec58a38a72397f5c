import Foundation
import HeadroomCore

/// Streams a JSON-lines trace: the Mooncake FAST'25 format or Headroom's native one.
///
/// **Mooncake**: `{"timestamp": ms, "input_length": n, "output_length": n, "hash_ids": [...]}`
/// with `timestamp` in milliseconds from the start; `max_tokens` comes from a ``MaxTokensRule``.
///
/// **Native**: one object a line,
///
/// ```json
/// {"arrival": 12.5, "prompt_tokens": 900, "max_tokens": 400, "output_tokens": 212,
///  "model": "gpt-4o", "priority": 1, "tenant": "search", "cache_key": "q-1187", "repeatable": true}
/// ```
///
/// `arrival` is in seconds from the start; `max_tokens` defaults to the
/// ``MaxTokensRule``, `output_tokens` to `max_tokens`, `model` to the reader's
/// model, `priority` to 0. `cache_key` (at most 1,000 bytes) says what the request asks:
/// lines with one key ask the same, for the response cache; `batch` (`true` or `false`) whether
/// the request accepts a batch's late answer (absent: its tenant's setting decides); `deadline` (seconds
/// after its arrival, above 0 and at most a week) how long its client waits (see ``SimulatedRequest/deadline``);
/// `repeatable` (default `true`) whether its answer would be given again (see ``SimulatedRequest/isRepeatable``).
/// Blank lines are skipped.
public struct JSONLTraceReader: WorkloadSource {
    /// The two JSON-lines layouts.
    public enum Format: String, Sendable, Codable, CaseIterable {
        /// Mooncake FAST'25 (`timestamp` ms, `input_length`, `output_length`).
        case mooncake
        /// Headroom's own (`arrival` s, `prompt_tokens`, `max_tokens`, `output_tokens`, ...).
        case native
    }

    private let lines: LineReader
    private let format: Format
    private let maxTokens: MaxTokensRule
    private let model: String
    private var last: Int64 = .min

    /// Opens `path` to read in `format`.
    public init(path: String, format: Format, maxTokens: MaxTokensRule = .outputTimes(1.25), model: String = "gpt-4o") throws(HeadroomError) {
        lines = try LineReader(path: path)
        self.format = format
        self.maxTokens = maxTokens
        self.model = model
    }

    public mutating func next() throws(HeadroomError) -> SimulatedRequest? {
        while let line = lines.nextLineBytes() {
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            let object: FlatJSONObject
            do {
                object = try FlatJSONObject(parsing: line)
            } catch {
                throw lines.error("not a JSON object: \(error.message).")
            }
            let request = switch format {
            case .mooncake: try mooncake(object)
            case .native: try native(object)
            }
            if request.arrival.nanoseconds < last {
                throw lines.error("the arrival goes back in time; the trace must be sorted by arrival.")
            }
            last = request.arrival.nanoseconds
            return request
        }
        return nil
    }

    private func count(_ object: FlatJSONObject, _ key: String, required: Bool = true) throws(HeadroomError) -> Int? {
        guard let value = object[key] else {
            if required { throw lines.error("the field \"\(key)\" is missing.") }
            return nil
        }
        guard case .number(let number) = value, number >= 0, number == number.rounded(.towardZero), number < 1e12 else {
            throw lines.error("\"\(key)\" must be a whole number from 0 to 999,999,999,999.")
        }
        return Int(number)
    }

    private func mooncake(_ object: FlatJSONObject) throws(HeadroomError) -> SimulatedRequest {
        let milliseconds = try count(object, "timestamp")!
        let input = try count(object, "input_length")!
        let output = try count(object, "output_length")!
        return SimulatedRequest(arrival: Instant(nanoseconds: Int64(milliseconds) * 1_000_000), promptTokens: input,
                                maxTokens: maxTokens.maxTokens(forOutput: output), outputTokens: output, model: model)
    }

    private func native(_ object: FlatJSONObject) throws(HeadroomError) -> SimulatedRequest {
        guard let arrival = object.number("arrival"), arrival >= 0, arrival < 1e9 else {
            throw lines.error("\"arrival\" (seconds from the start) is missing or not a number of 0 or more.")
        }
        let prompt = try count(object, "prompt_tokens")!
        let output = try count(object, "output_tokens", required: false)
        let limit = try count(object, "max_tokens", required: false) ?? output.map(maxTokens.maxTokens(forOutput:))
        guard let limit else { throw lines.error("give \"max_tokens\" or \"output_tokens\" (or both).") }
        var priority = 0
        if let value = object["priority"], value != .null {
            guard let number = object.number("priority"), number == number.rounded(.towardZero), abs(number) < 1e9 else {
                throw lines.error("\"priority\" must be a whole number.")
            }
            priority = Int(number)
        }
        for key in ["model", "tenant", "cache_key"] {
            if let value = object[key], object.string(key) == nil, value != .null {
                throw lines.error("\"\(key)\" must be a string.")
            }
        }
        let cacheKey = object.string("cache_key")
        if let cacheKey, cacheKey.utf8.count > Self.longestCacheKey {
            throw lines.error("\"cache_key\" is \(cacheKey.utf8.count) bytes; it must be at most \(Self.longestCacheKey) (a digest of the request will do).")
        }
        var isRepeatable = true
        switch object["repeatable"] {
        case nil, .null?: break
        case .bool(let value)?: isRepeatable = value
        default: throw lines.error("\"repeatable\" must be true or false.")
        }
        var request = SimulatedRequest(arrival: .seconds(arrival), promptTokens: prompt, maxTokens: limit, outputTokens: output ?? limit,
                                       model: object.string("model") ?? model, priority: priority, tenant: object.string("tenant"),
                                       cacheKey: cacheKey, isRepeatable: isRepeatable)
        switch object["batch"] {
        case nil, .null?: break
        case .bool(let value)?: request.batch = value
        default: throw lines.error("\"batch\" must be true or false.")
        }
        if let value = object["deadline"], value != .null {
            guard let deadline = object.number("deadline").flatMap(BatchRouting.deadline(seconds:)) else {
                throw lines.error("\"deadline\" must be a number of seconds above 0 and at most 604800 (a week).")
            }
            request.deadline = deadline
        }
        return request
    }

    /// The longest `cache_key` read, in bytes.
    static let longestCacheKey = 1_000
}
