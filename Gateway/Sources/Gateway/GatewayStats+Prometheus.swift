import Foundation

extension GatewayStats {
    /// The statistics in Prometheus' text exposition format (version 0.0.4).
    public var prometheusText: String {
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { text += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        let outcomes: [(String, Int)] = [("succeeded", requests.succeeded), ("failed", requests.failed), ("rejected", requests.rejected),
                                         ("invalid", requests.invalid), ("unauthorized", requests.unauthorized),
                                         ("cancelled", requests.cancelled)]
        metric("headroom_gateway_requests_total", "counter", "Requests that reached an API route and ended, by outcome.",
               outcomes.map { (#"{outcome="\#($0.0)"}"#, "\($0.1)") })
        metric("headroom_gateway_requests_in_progress", "gauge", "Requests that reached an API route and have not ended.",
               [("", "\(requests.inProgress)")])
        metric("headroom_gateway_latency_seconds", "summary", "Latency of recent successful requests.",
               [("{quantile=\"0.5\"}", "\(latencySeconds.p50)"), ("{quantile=\"0.9\"}", "\(latencySeconds.p90)"),
                ("{quantile=\"0.99\"}", "\(latencySeconds.p99)"), ("_count", "\(latencySeconds.count)")].map { ($0.0, $0.1) })
        metric("headroom_gateway_queued", "gauge", "Requests waiting for a deployment.", [("", "\(queued)")])
        metric("headroom_gateway_backing_off", "gauge", "Requests waiting to retry.", [("", "\(backingOff)")])
        metric("headroom_gateway_in_flight", "gauge", "Requests sent upstream and not answered.", [("", "\(inFlight)")])
        metric("headroom_upstream_retries_total", "counter", "Attempts retried.", [("", "\(upstreamRetries)")])
        func perDeployment(_ name: String, _ type: String, _ help: String, _ value: (Deployment) -> String) {
            metric(name, type, help, deployments.map { (#"{deployment="\#(Self.escape($0.id))"}"#, value($0)) })
        }
        perDeployment("headroom_deployment_in_flight", "gauge", "Attempts in flight.") { "\($0.inFlight)" }
        perDeployment("headroom_deployment_remaining_requests", "gauge", "Requests left in the budget.") { "\($0.remainingRequests)" }
        perDeployment("headroom_deployment_remaining_tokens", "gauge", "Tokens left in the budget.") { "\($0.remainingTokens)" }
        perDeployment("headroom_deployment_limit_factor", "gauge", "Share of the configured limits in force.") { "\($0.limitFactor)" }
        perDeployment("headroom_deployment_throttled_total", "counter", "429s the deployment answered.") { "\($0.throttled)" }
        perDeployment("headroom_deployment_succeeded_total", "counter", "Attempts answered with success.") { "\($0.succeeded)" }
        perDeployment("headroom_deployment_failed_total", "counter", "Attempts that failed otherwise.") { "\($0.failed)" }
        perDeployment("headroom_deployment_in_rotation", "gauge", "1 if the deployment takes requests.") { $0.outOfRotation == nil ? "1" : "0" }
        perDeployment("headroom_deployment_blocked_seconds", "gauge", "Seconds until a 429's retry-after ends (0: none in force).") {
            "\($0.blockedForSeconds ?? 0)"
        }
        perDeployment("headroom_deployment_server_view_seconds", "gauge",
                      "Seconds the provider's lower view of the budget, from its headers, still holds (0: none in force).") {
            "\($0.serverView?.expiresInSeconds ?? 0)"
        }
        let viewed = deployments.filter { $0.serverView?.remainingTokens != nil }
        metric("headroom_deployment_server_view_remaining_tokens", "gauge", "Tokens left by the provider's headers, while that view holds.",
               viewed.map { (#"{deployment="\#(Self.escape($0.id))"}"#, "\($0.serverView?.remainingTokens ?? 0)") })
        perDeployment("headroom_deployment_headers_ignored", "gauge", "1 if the provider contradicted its rate-limit headers and they are ignored until a 429.") {
            $0.headersIgnored ? "1" : "0"
        }
        metric("headroom_client_requests_total", "counter", "Requests per client.",
               clients.map { (#"{client="\#(Self.escape($0.name))"}"#, "\($0.requests)") })
        metric("headroom_client_rejected_total", "counter", "Requests refused by the client's own limits.",
               clients.map { (#"{client="\#(Self.escape($0.name))"}"#, "\($0.rejected)") })
        return text
    }

    /// A label value with backslashes, quotes and newlines escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
