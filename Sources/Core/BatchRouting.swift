/// Whether a request goes to batch, decided the same way by the gateway, the engine's embedders
/// and the simulator.
///
/// The request's own word wins (a header, a `@batch` model alias); else a deadline that leaves the
/// batch's expected turnaround sends it, when routing by deadline is on; else its client's setting.
///
/// ```swift
/// let deferred = BatchRouting.acceptsBatch(asked: nil, clientDefault: false, deadline: .seconds(172_800),
///                                          expectedTurnaround: .seconds(86_400))   // true
/// ```
public enum BatchRouting {
    /// The longest deadline a request may give, in seconds: a week (a gateway client's
    /// `x-headroom-deadline`, a trace's `deadline`).
    public static let longestDeadlineSeconds = 604_800.0

    /// A deadline given in seconds, rounded up to the millisecond; `nil` unless it is above 0 and
    /// at most ``longestDeadlineSeconds``.
    public static func deadline(seconds: Double) -> Duration? {
        guard seconds > 0, seconds <= longestDeadlineSeconds else { return nil }
        return .milliseconds(Int64((seconds * 1_000).rounded(.up)))
    }

    /// Whether the request accepts a batch's late answer.
    ///
    /// - Parameters:
    ///   - asked: what the request itself said, if it said anything.
    ///   - clientDefault: its client's setting.
    ///   - deadline: how long from now the request may take, if it said.
    ///   - expectedTurnaround: a batch's expected turnaround, when deadlines route (`nil`: they do not).
    public static func acceptsBatch(asked: Bool?, clientDefault: Bool, deadline: Duration?, expectedTurnaround: Duration?) -> Bool {
        if let asked { return asked }
        if let deadline, let expectedTurnaround, deadline >= expectedTurnaround { return true }
        return clientDefault
    }

    /// The turnaround a deadline must leave for a request to go to batch by it: the shortest
    /// expected of the batch deployments' `rules`; `nil` without any.
    public static func routingTurnaround(_ rules: some Sequence<BatchRules>) -> Duration? {
        rules.map(\.expectedTurnaround).min()
    }

    /// The latest a request may end, from its submission: its own deadline, if it gave one, within
    /// the longest it may take: `requestTimeout`, after the longest grace period and cancel wait of the
    /// batch deployments' `rules` for a request that accepts batch (its batch may run that long, then
    /// it goes synchronously).
    public static func timeLimit(deadline: Duration?, acceptsBatch: Bool, rules: some Sequence<BatchRules>, requestTimeout: Duration) -> Duration {
        let longestBatch = acceptsBatch ? rules.map { $0.gracePeriod + $0.cancelWait }.max() ?? .zero : .zero
        let latest = longestBatch + requestTimeout
        return min(deadline ?? latest, latest)
    }
}
