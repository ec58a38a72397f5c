import HeadroomCore

/// Answers from batches kept for callers who are not there to take them (they hung up, or asked
/// before a restart), by the caller's request id: taken once, kept at most a day, and the oldest
/// dropped past ``maxKept``.
struct BatchMailbox: Sendable {
    private var kept: [String: (result: Result<APIAnswer, HeadroomError>, at: Instant)] = [:]
    private var order: [String] = []

    /// The most answers kept: at the most a large batch file's.
    static let maxKept = 100_000
    /// How long an answer is kept.
    static let keptFor: Duration = .seconds(86_400)

    var count: Int { kept.count }

    /// Keeps `result` for the caller of request `requestID`.
    mutating func keep(_ result: Result<APIAnswer, HeadroomError>, for requestID: String, now: Instant) {
        if kept.updateValue((result, now), forKey: requestID) == nil { order.append(requestID) }
        while kept.count > Self.maxKept, !order.isEmpty { kept[order.removeFirst()] = nil }
    }

    /// The answer kept for `requestID`, taken out; `nil` when none is, or it is older than ``keptFor``.
    mutating func take(_ requestID: String, now: Instant) -> Result<APIAnswer, HeadroomError>? {
        guard let entry = kept.removeValue(forKey: requestID) else { return nil }
        order.removeAll { $0 == requestID }
        return now - entry.at <= Self.keptFor ? entry.result : nil
    }
}
