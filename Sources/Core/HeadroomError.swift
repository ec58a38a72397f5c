/// The one error type of Headroom: what went wrong, for which job or deployment,
/// the figures involved and what to change, in a sentence a user can act on.
///
/// Match on ``kind``; show ``message``.
///
/// ```swift
/// if case .finish(let id, .failed(let error), _) = action, error.kind == .queueFull {
///     // shed load, or raise SchedulerConfiguration.maxQueueLength
/// }
/// ```
public struct HeadroomError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; stable for matching.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// A short stable name, e.g. `"queueFull"`.
        public let name: String

        package init(_ name: String) {
            self.name = name
        }

        public var description: String { name }

        /// A configuration value is out of range or inconsistent.
        public static let invalidConfiguration = Kind("invalidConfiguration")
        /// A job's fields are out of range (negative token counts, say).
        public static let invalidJob = Kind("invalidJob")
        /// The queue held its maximum number of jobs when the job arrived.
        public static let queueFull = Kind("queueFull")
        /// The job waited longer than the configured maximum queue wait.
        public static let queueWaitExceeded = Kind("queueWaitExceeded")
        /// The job's own deadline passed before it could be served.
        public static let deadlineExceeded = Kind("deadlineExceeded")
        /// No configured deployment could ever serve the job (model, context window, limits).
        public static let unservable = Kind("unservable")
        /// Every allowed attempt failed with a retryable error.
        public static let attemptsExhausted = Kind("attemptsExhausted")
        /// The provider refused the request for a reason that retrying will not fix.
        public static let rejectedByProvider = Kind("rejectedByProvider")
        /// The provider accepted the request, then its answer broke (see
        /// ``AttemptOutcome/brokenAnswer(message:)``): the provider's fault, not the request's.
        public static let brokenAnswer = Kind("brokenAnswer")
        /// A deployment cannot serve anything (credentials refused, deployment
        /// missing) and is out of rotation; for a job, every deployment that could
        /// serve it is (a condition of the service, not of the request).
        public static let deploymentUnavailable = Kind("deploymentUnavailable")
        /// The request's tenant has spent one of its budgets (``Budget``) for the period; its
        /// ``HeadroomError/retryAfter`` is the time until the budget resets.
        public static let budgetExceeded = Kind("budgetExceeded")
        /// The engine has shut down and takes no more requests.
        public static let shutDown = Kind("shutDown")
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// What happened and what to do about it.
    public let message: String
    /// For a job turned away by back-pressure (``Kind/queueFull``,
    /// ``Kind/queueWaitExceeded``): how long until the scheduler expects the
    /// work now waiting to have gone, at the deployments' combined rate. What a
    /// client should wait before sending it again (a gateway's `Retry-After`).
    public let retryAfter: Duration?

    /// Creates an error of `kind` with a message for the user.
    public init(_ kind: Kind, _ message: String, retryAfter: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(kind): \(message)" }
}
