/// How one attempt at a job ended, as the driver classified the provider's answer.
public enum AttemptOutcome: Hashable, Sendable {
    /// The provider served the request and reported its usage.
    case succeeded(Usage)
    /// The provider answered 429. `retryAfter` is the wait it asked for, if any.
    case throttled(retryAfter: Duration?)
    /// A failure worth retrying: 5xx, 408, a timeout, a reset connection.
    /// `retryAfter` is the wait the provider asked for, if any.
    case transientFailure(retryAfter: Duration?, message: String)
    /// A failure retrying will not fix: a bad request, a context-length error,
    /// a content filter. The job fails with ``HeadroomError/Kind/rejectedByProvider``.
    case permanentFailure(message: String)
    /// The provider accepted the request (a 2xx head), then its answer broke:
    /// cut off, larger than allowed, or not what the API answers. The provider
    /// may have served and billed it, so it is not sent again, and its charge
    /// stands as reserved. The job fails with ``HeadroomError/Kind/brokenAnswer``.
    case brokenAnswer(message: String)
    /// The deployment cannot serve anything (credentials refused, deployment
    /// deleted): it leaves rotation until ``Scheduler/enable(_:now:)``, and the
    /// job goes to another deployment if one can serve it.
    case deploymentUnavailable(message: String)
    /// The batch the attempt went in ended without serving it: the batch failed, expired or was
    /// cancelled past its grace period. Nothing was billed for it, so the job is sent again at once,
    /// to a synchronous deployment (it no longer ``Job/acceptsBatch``).
    case batchUnfinished(message: String)
}
