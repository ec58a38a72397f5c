import HeadroomAdapters
import HeadroomCache
import HeadroomCore
import Logging
import NIOConcurrencyHelpers

/// One API request's record: counted when it arrives and ended exactly once,
/// however it ends (one dropped without an ending, its client gone before an
/// answer could start, ends as cancelled when its tally goes). Ending it writes
/// the access log's line and the metrics.
final class RequestTally: Sendable {
    /// Where a request's ending is told.
    struct Observers: Sendable {
        let state: GatewayState
        let metrics: GatewayMetrics
        let logger: Logger
        /// The batch deployments, whose answers are priced at their discount.
        let batchDeployments: Set<DeploymentID>
        /// The tenants' budgets, if any has one.
        let budgets: BudgetKeeper?
    }

    /// What is learnt of the request on its way.
    private struct Record {
        var ended = false
        var model: String?
        var head: AnswerHead?
        var cache: CacheStatus?
        var usage: Usage?
    }

    private let observers: Observers
    private let client: ClientRegistry.Client
    private let started = ContinuousClock.now
    private let record = NIOLockedValueBox(Record())

    /// A tally for a request from `client` that has just arrived (count it with ``GatewayState/received(from:)``).
    init(client: ClientRegistry.Client, _ observers: Observers) {
        self.client = client
        self.observers = observers
    }

    /// Notes the model the body names.
    func read(model: String?) {
        record.withLockedValue { $0.model = model }
    }

    /// Notes the attempt that answered, and where the answer came from (`nil`: no cache).
    func answered(by head: AnswerHead, cache: CacheStatus? = nil) {
        record.withLockedValue {
            $0.head = head
            $0.cache = cache
        }
    }

    /// Notes the tokens the answer used.
    func used(_ usage: Usage) {
        record.withLockedValue { $0.usage = usage }
    }

    /// Ends the request with `outcome`, answered with `status`, unless it has ended already.
    func end(_ outcome: GatewayState.Outcome, status: Int) {
        guard let record = claim() else { return }
        let latency = ContinuousClock.now - started
        // A hit cost nothing upstream.
        if outcome == .succeeded, let head = record.head, let usage = record.usage, record.cache != .hit {
            let batch = observers.batchDeployments.contains(head.deployment)
            let cost = observers.state.priced(usage, model: record.model ?? "", deployment: head.deployment, client: client.name, batch: batch)
            observers.budgets?.spent(usage, cost: cost, tenant: client.name)
        }
        observe(outcome, status: status, latency: latency, record)
        observers.state.ended(outcome, client: client.index, latency: latency)
    }

    /// Ends the request as served.
    func succeed() {
        end(.succeeded, status: 200)
    }

    deinit {
        guard let record = claim() else { return }
        let latency = ContinuousClock.now - started
        observe(.cancelled, status: 499, latency: latency, record)
        observers.state.ended(.cancelled, client: client.index, latency: latency)
    }

    /// The record, if this call is the one that ends the request.
    private func claim() -> Record? {
        record.withLockedValue { record in
            defer { record.ended = true }
            return record.ended ? nil : record
        }
    }

    private func observe(_ outcome: GatewayState.Outcome, status: Int, latency: Duration, _ record: Record) {
        observers.metrics.ended(outcome, client: client.name, model: record.model, latency: latency, head: record.head, cache: record.cache,
                                usage: record.usage)
        guard observers.logger.logLevel <= .info else { return }
        var line: Logger.Metadata = [
            "client": "\(client.name)", "model": "\(Self.printable(record.model ?? "-"))", "status": "\(status)", "outcome": "\(outcome.rawValue)",
            "latency_ms": "\(Self.milliseconds(latency))",
        ]
        if let head = record.head {
            line["deployment"] = "\(head.deployment.rawValue)"
            line["attempts"] = "\(head.attempt)"
            line["queue_ms"] = "\(Self.milliseconds(head.queuedFor))"
        }
        if let cache = record.cache { line["cache"] = "\(cache.rawValue)" }
        if let usage = record.usage {
            line["prompt_tokens"] = "\(usage.promptTokens)"
            line["completion_tokens"] = "\(usage.completionTokens)"
        }
        observers.logger.info("request", metadata: line)
    }

    /// A client's text made safe for a log line: at most 100 characters, control characters as `?`.
    private static func printable(_ text: String) -> String {
        String(text.prefix(100).map { $0.isASCII && ($0.asciiValue! < 0x20 || $0.asciiValue! == 0x7F) ? "?" : $0 })
    }

    /// Milliseconds to two decimals.
    private static func milliseconds(_ duration: Duration) -> String {
        "\((Double(duration.nanoseconds) / 10_000).rounded() / 100)"
    }
}
