import HeadroomCore

/// Callers waiting for the answer to a request under way by its key (its caller's request id): a
/// second caller with the key of a request in a batch, or a caller of a request of a batch picked
/// up after a restart. Each is handed the answer, or `nil` to look again (the request was not
/// served, and one of them sends it anew), and may leave before then (it hung up).
struct BatchWaiters: Sendable {
    typealias Waiter = CheckedContinuation<Result<APIAnswer, HeadroomError>?, any Error>

    private var waiting: [String: [UInt64: Waiter]] = [:]
    private var issued: UInt64 = 0

    /// A new ticket, to ``add(_:for:ticket:)`` a waiter by and ``leave(_:ticket:)`` by.
    mutating func ticket() -> UInt64 {
        issued += 1
        return issued
    }

    /// Adds `waiter` for request `key`.
    mutating func add(_ waiter: Waiter, for key: String, ticket: UInt64) {
        waiting[key, default: [:]][ticket] = waiter
    }

    /// The waiter with `ticket` for `key` leaves; returns it (to be resumed), `nil` when it has already been handed its answer.
    mutating func leave(_ key: String, ticket: UInt64) -> Waiter? {
        defer { if waiting[key]?.isEmpty == true { waiting[key] = nil } }
        return waiting[key]?.removeValue(forKey: ticket)
    }

    /// Whether a caller waits for `key`.
    func isWaiting(for key: String) -> Bool {
        waiting[key] != nil
    }

    /// Hands `result` to every caller waiting for `key`.
    mutating func hand(_ result: Result<APIAnswer, HeadroomError>?, to key: String) {
        guard let waiters = waiting.removeValue(forKey: key) else { return }
        for waiter in waiters.values { waiter.resume(returning: result) }
    }

    /// Tells every waiting caller `error`.
    mutating func tellAll(_ error: HeadroomError) {
        for waiters in waiting.values {
            for waiter in waiters.values { waiter.resume(returning: .failure(error)) }
        }
        waiting = [:]
    }
}
