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
}
