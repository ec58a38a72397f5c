import CoreMetrics
import HeadroomAdapters
import HeadroomCache
import HeadroomCore
import HeadroomSharedCapacity
import NIOConcurrencyHelpers
import Prometheus

/// The gateway's metrics, kept with swift-metrics in a Prometheus registry of the gateway's own
/// (two gateways in one process never mix figures) and served at `/metrics`.
///
/// As requests end: requests by client, model and outcome; the latency of those served and their
/// wait for a first attempt; tokens by client, model and deployment. At each scrape, from the
/// scheduler: the queue, and each deployment's budget, state and attempt counts.
final class GatewayMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// The models a label may name; any other is `other`, so a client's made-up names cannot grow the metrics.
    private let models: Set<String>
    /// The scheduler's running counts as last exported, by metric and deployment: counters grow by the difference.
    private let exported = NIOLockedValueBox<[String: Int]>([:])

    /// Metrics for a gateway whose deployments serve `models`.
    init(models: [String]) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
            .map { Duration.milliseconds(Int64($0 * 1_000)) }
        self.factory = factory
        self.models = Set(models)
    }

    /// `model` as a label value: `none` when the request named none (or was not read), `other` when no deployment serves it.
    func label(model: String?) -> String {
        guard let model else { return "none" }
        return models.contains(model) ? model : "other"
    }

    /// Counts a request that presented no valid key.
    func unauthorized() {
        Counter(label: "headroom_gateway_unauthorized_total", factory: factory).increment()
    }

    /// Counts a request refused because a budget of its client is spent.
    func refusedByBudget(client: String) {
        Counter(label: "headroom_client_budget_refusals_total", dimensions: [("client", client)], factory: factory).increment()
    }

    /// Counts a request that ended, with what is known of it.
    /// A hit's tokens are not counted as used: nothing went upstream for it (see `headroom_cache_tokens_saved_total`).
    func ended(_ outcome: GatewayState.Outcome, client: String, model: String?, latency: Duration, head: AnswerHead?, cache: CacheStatus?,
               usage: Usage?) {
        let model = label(model: model)
        Counter(label: "headroom_gateway_requests_total", dimensions: [("client", client), ("model", model), ("outcome", outcome.rawValue)],
                factory: factory).increment()
        if let cache {
            Counter(label: "headroom_cache_requests_total", dimensions: [("client", client), ("model", model), ("status", cache.rawValue)],
                    factory: factory).increment()
        }
        guard outcome == .succeeded else { return }
        Timer(label: "headroom_gateway_request_duration_seconds", dimensions: [("client", client), ("model", model)], factory: factory)
            .recordNanoseconds(latency.nanoseconds)
        guard let head, cache != .hit else { return }
        let deployment = head.deployment.rawValue
        Timer(label: "headroom_gateway_queue_wait_seconds", dimensions: [("deployment", deployment)], factory: factory)
            .recordNanoseconds(head.queuedFor.nanoseconds)
        for (kind, tokens) in [("prompt", usage?.promptTokens ?? 0), ("completion", usage?.completionTokens ?? 0)] where tokens > 0 {
            Counter(label: "headroom_tokens_total", dimensions: [("client", client), ("model", model), ("deployment", deployment), ("kind", kind)],
                    factory: factory).increment(by: Int64(clamping: tokens))
        }
    }

    /// The metrics in Prometheus' text format, the scheduler's figures brought up to `snapshot` first.
    func text(_ snapshot: SchedulerSnapshot, inProgress: Int, cache: CacheStatistics.Counts? = nil, shared: SharedCapacity.Status? = nil,
              batch: BatchStatistics? = nil, cost: GatewayStats.Cost? = nil, budgets: [BudgetStatus]? = nil) -> String {
        for status in budgets ?? [] {
            let at = [("client", status.tenant), ("budget", status.budget)]
            gauge("headroom_client_budget_used", status.used, at)
            gauge("headroom_client_budget_limit", status.limit, at)
            gauge("headroom_client_budget_nearly_spent", status.isNearlySpent ? 1 : 0, at)
            gauge("headroom_client_budget_spent", status.isSpent ? 1 : 0, at)
        }
        if let batch {
            count("headroom_batch_files_formed_total", to: batch.formed)
            for (status, total) in [("submitted", batch.submitted), ("completed", batch.completed), ("failed", batch.failed),
                                    ("expired", batch.expired), ("cancelled", batch.cancelled)] {
                count("headroom_batch_batches_total", to: total, [("status", status)])
            }
            count("headroom_batch_requests_total", to: batch.answered, [("outcome", "answered")])
            count("headroom_batch_requests_total", to: batch.resent, [("outcome", "resent")])
            gauge("headroom_batch_requests_waiting", Double(batch.forming), [("where", "forming")])
            gauge("headroom_batch_requests_waiting", Double(batch.inBatches), [("where", "in_batches")])
            gauge("headroom_batch_turnaround_seconds", batch.turnaroundP50Seconds ?? 0, [("quantile", "0.5")])
            gauge("headroom_batch_turnaround_seconds", batch.turnaroundP99Seconds ?? 0, [("quantile", "0.99")])
        }
        if let cost {
            // Money is not a count of events: gauges of the running totals.
            for (deployment, line) in cost.deployments { gauge("headroom_cost", line.cost, [("deployment", deployment)]) }
            for (client, line) in cost.clients {
                gauge("headroom_client_cost", line.cost, [("client", client)])
                gauge("headroom_client_batch_saving", line.batchSaving, [("client", client)])
            }
        }
        if let shared {
            gauge("headroom_shared_state_fallback", shared.state == .fallback ? 1 : 0)
            count("headroom_shared_state_renewals_total", to: shared.renewals)
            count("headroom_shared_state_failures_total", to: shared.failures)
            count("headroom_shared_state_fallbacks_total", to: shared.fallbacks)
        }
        if let cache {
            count("headroom_cache_hits_total", to: cache.hits)
            count("headroom_cache_misses_total", to: cache.misses)
            count("headroom_cache_bypasses_total", to: cache.bypasses)
            count("headroom_cache_coalesced_total", to: cache.coalesced)
            count("headroom_cache_stored_total", to: cache.stored)
            count("headroom_cache_store_errors_total", to: cache.storeErrors)
            count("headroom_cache_bytes_saved_total", to: cache.bytesSaved)
            for (model, tokens) in cache.tokensSaved {
                count("headroom_cache_tokens_saved_total", to: tokens.prompt, [("model", label(model: model)), ("kind", "prompt")])
                count("headroom_cache_tokens_saved_total", to: tokens.completion, [("model", label(model: model)), ("kind", "completion")])
            }
        }
        gauge("headroom_gateway_requests_in_progress", Double(inProgress))
        gauge("headroom_gateway_queued", Double(snapshot.queued))
        gauge("headroom_gateway_backing_off", Double(snapshot.backingOff))
        gauge("headroom_gateway_in_flight", Double(snapshot.inFlight))
        count("headroom_upstream_retries_total", to: snapshot.counters.retries)
        for deployment in snapshot.deployments {
            let at = [("deployment", deployment.id.rawValue)]
            gauge("headroom_deployment_in_flight", Double(deployment.inFlight), at)
            gauge("headroom_deployment_remaining_requests", Double(deployment.remainingRequests), at)
            gauge("headroom_deployment_remaining_tokens", Double(deployment.remainingTokens), at)
            gauge("headroom_deployment_limit_factor", deployment.limitFactor, at)
            gauge("headroom_deployment_share", deployment.share, at)
            gauge("headroom_deployment_in_rotation", deployment.outOfRotation == nil ? 1 : 0, at)
            gauge("headroom_deployment_headers_ignored", deployment.headersIgnored ? 1 : 0, at)
            gauge("headroom_deployment_blocked_seconds", Self.seconds(until: deployment.blockedUntil, from: snapshot.at), at)
            gauge("headroom_deployment_server_view_seconds", Self.seconds(until: deployment.serverView?.until, from: snapshot.at), at)
            count("headroom_deployment_dispatched_total", to: deployment.dispatched, at)
            count("headroom_deployment_succeeded_total", to: deployment.succeeded, at)
            count("headroom_deployment_throttled_total", to: deployment.throttled, at)
            count("headroom_deployment_failed_total", to: deployment.failed, at)
            if deployment.kind == .batch { gauge("headroom_deployment_enqueued_tokens", Double(deployment.enqueuedTokens), at) }
        }
        return registry.emitToString()
    }

    private func gauge(_ name: String, _ value: Double, _ dimensions: [(String, String)] = []) {
        Gauge(label: name, dimensions: dimensions, factory: factory).record(value)
    }

    /// Brings a counter up to `total`, a running count the scheduler keeps.
    private func count(_ name: String, to total: Int, _ dimensions: [(String, String)] = []) {
        let key = ([name] + dimensions.map(\.1)).joined(separator: "\u{0}")
        let grown = exported.withLockedValue { exported in
            defer { exported[key] = max(total, exported[key] ?? 0) }
            return total - (exported[key] ?? 0)
        }
        let counter = Counter(label: name, dimensions: dimensions, factory: factory)
        if grown > 0 { counter.increment(by: Int64(grown)) }
    }

    private static func seconds(until end: Instant?, from now: Instant) -> Double {
        guard let end, end > now else { return 0 }
        return Double((end - now).nanoseconds) / 1e9
    }
}
