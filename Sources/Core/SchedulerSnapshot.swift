/// The scheduler's state at one instant, for monitoring.
public struct SchedulerSnapshot: Hashable, Sendable {
    /// The instant the snapshot describes.
    public var at: Instant
    /// Jobs waiting in the queue.
    public var queued: Int
    /// Jobs waiting out a back-off before their next attempt.
    public var backingOff: Int
    /// Attempts in flight.
    public var inFlight: Int
    /// Running totals.
    public var counters: SchedulerCounters
    /// One entry a deployment, in configuration order.
    public var deployments: [DeploymentSnapshot]
}

/// One deployment's state at one instant.
public struct DeploymentSnapshot: Hashable, Sendable {
    /// The deployment's name.
    public var id: DeploymentID
    /// Attempts in flight on it.
    public var inFlight: Int
    /// Requests that may be sent now under the tightest window and the server's view.
    public var remainingRequests: Int
    /// Tokens that may be charged now under the tightest window and the server's view.
    public var remainingTokens: Int
    /// The multiplier on its limits (below 1 after 429 episodes).
    public var limitFactor: Double
    /// The share of its limits this instance may use (1 unless instances share it).
    public var share: Double
    /// The largest share of any of its configured limits that the charges in its windows take now.
    public var occupancy: Double
    /// Until when it is blocked by a provider's retry-after, if it is.
    public var blockedUntil: Instant?
    /// The provider's own view of its budget, from rate-limit headers, while it
    /// is lower than the scheduler's and has not lapsed.
    public var serverView: ServerView?
    /// Whether the provider contradicted its own headers (admitting requests
    /// they said had no room): they are ignored until its next 429.
    public var headersIgnored: Bool
    /// Why it is out of rotation, if it is.
    public var outOfRotation: String?
    /// Attempts sent to it.
    public var dispatched: Int
    /// Attempts it served.
    public var succeeded: Int
    /// Attempts it throttled (429).
    public var throttled: Int
    /// Attempts that failed on it otherwise.
    public var failed: Int
    /// How it answers: at once, or from batch files.
    public var kind: DeploymentKind = .synchronous
    /// Tokens in flight under its enqueued-token cap, those enqueued elsewhere included (0 when it has none).
    public var enqueuedTokens = 0
}

/// What a provider's rate-limit headers said about a deployment's budget, as the scheduler holds it.
public struct ServerView: Hashable, Sendable {
    /// Tokens the server said were left, less what was sent since; `nil` if it said nothing lower.
    public var remainingTokens: Int?
    /// Requests the server said were left, less what was sent since; `nil` if it said nothing lower.
    public var remainingRequests: Int?
    /// When the server saw what it reported: when it took the request whose answer carried the headers.
    public var observedAt: Instant
    /// When this evidence lapses: the server's reset, or the deployment's shortest window after `observedAt`.
    public var until: Instant
}
