import HeadroomCore
import HeadroomServerSupport
import Hummingbird

/// How the gateway answers a request the engine could not serve: the status,
/// error type and code OpenAI's clients understand, with the engine's message.
enum GatewayError {
    /// The response for `error`, and how to count it.
    static func response(for error: any Error, retryAfterSeconds: Int) -> (Response, GatewayState.Outcome) {
        guard let error = error as? HeadroomError else {
            // Not the engine's own error: its description may dump internals, so it stays out of the answer.
            return (JSONReply.error(502, "The upstream's answer could not be read.", type: "server_error", code: "bad_upstream_response"), .failed)
        }
        // When the scheduler expects room, where it says; else the configured constant.
        let seconds = error.retryAfter.map { ($0.nanoseconds + 999_999_999) / 1_000_000_000 } ?? Int64(retryAfterSeconds)
        let retryAfter = [("retry-after", "\(seconds)")]
        switch error.kind {
        case .queueFull:
            return (JSONReply.error(429, error.message, type: "rate_limit_exceeded", code: "queue_full", headers: retryAfter), .rejected)
        case .queueWaitExceeded:
            return (JSONReply.error(429, error.message, type: "rate_limit_exceeded", code: "queue_wait_exceeded", headers: retryAfter), .rejected)
        case .budgetExceeded:
            // OpenAI's own word for a spent allowance; the wait is until the budget resets.
            return (JSONReply.error(429, error.message, type: "insufficient_quota", code: "budget_exceeded", headers: retryAfter), .rejected)
        case .unservable, .invalidJob:
            return (JSONReply.error(400, error.message, type: "invalid_request_error", code: error.kind.description), .invalid)
        case .rejectedByProvider:
            return (JSONReply.error(400, error.message, type: "invalid_request_error", code: "rejected_by_provider"), .failed)
        case .deploymentUnavailable:
            return (JSONReply.error(503, error.message, type: "server_error", code: "deployment_unavailable", headers: retryAfter), .failed)
        case .brokenAnswer:
            return (JSONReply.error(502, error.message, type: "server_error", code: "bad_upstream_response"), .failed)
        case .deadlineExceeded:
            return (JSONReply.error(504, error.message, type: "timeout", code: "deadline_exceeded"), .failed)
        case .shutDown:
            return (JSONReply.error(503, error.message, type: "server_error", code: "shutting_down", headers: retryAfter), .rejected)
        case .invalidConfiguration:
            return (JSONReply.error(503, error.message, type: "server_error", code: "unavailable", headers: retryAfter), .failed)
        default:
            return (JSONReply.error(502, error.message, type: "server_error", code: error.kind.description), .failed)
        }
    }
}
