import HeadroomCore
import Synchronization

/// The gateway's own mutable state: the counts and latencies behind ``GatewayStats``. Each call holds a lock for a few
/// instructions; none waits for anything else.
final class GatewayState: Sendable {
    /// How a request ended, for the counts.
    enum Outcome: String, Sendable {
        case succeeded, failed, rejected, invalid, cancelled
    }

    private struct Counts {
        var requests = GatewayStats.Requests()
        var clients: [GatewayStats.Client]
        /// The latest latencies in seconds, oldest overwritten first.
        var latencies: [Double] = []
        var nextLatency = 0
        /// What the requests served cost, when the configuration prices models.
        var cost: CostLedger?
    }

    private let counts: Mutex<Counts>
    private static let latencyWindow = 10_000

    init(clients: [ClientRegistry.Client], prices: PriceTable?) {
        counts = Mutex(Counts(clients: clients.map { GatewayStats.Client(name: $0.name) }, cost: prices.map(CostLedger.init(prices:))))
    }

    /// Records the cost of a request of `client` that `deployment` (a batch one when `batch`) served, using `usage` of `model`;
    /// returns it (`nil`: no prices, or none for the model).
    func priced(_ usage: Usage, model: String, deployment: DeploymentID, client: String, batch: Bool) -> Double? {
        counts.withLock { $0.cost?.record(usage, model: model, deployment: deployment.rawValue, tenant: client, batch: batch) }
    }

    /// Counts a request that presented no valid key.
    func unauthorized() {
        counts.withLock { counts in
            counts.requests.total += 1
            counts.requests.unauthorized += 1
        }
    }

    /// Counts an authorized request that has arrived at an API route (see ``RequestTally``).
    func received(from client: ClientRegistry.Client) {
        counts.withLock { counts in
            counts.requests.total += 1
            counts.clients[client.index].requests += 1
        }
    }

    /// Counts how a request of client number `client` ended, `latency` after it arrived.
    func ended(_ outcome: Outcome, client: Int, latency: Duration) {
        counts.withLock { counts in
            if outcome == .rejected { counts.clients[client].rejected += 1 }
            switch outcome {
            case .succeeded:
                counts.requests.succeeded += 1
                let seconds = Double(latency.nanoseconds) / 1e9
                if counts.latencies.count < Self.latencyWindow { counts.latencies.append(seconds) } else { counts.latencies[counts.nextLatency] = seconds }
                counts.nextLatency = (counts.nextLatency + 1) % Self.latencyWindow
            case .failed: counts.requests.failed += 1
            case .rejected: counts.requests.rejected += 1
            case .invalid: counts.requests.invalid += 1
            case .cancelled: counts.requests.cancelled += 1
            }
        }
    }

    /// What the requests served cost, when the configuration prices models.
    var cost: GatewayStats.Cost? {
        counts.withLock { $0.cost }.map { GatewayStats.Cost(total: $0.total, deployments: $0.deployments, clients: $0.tenants, models: $0.models) }
    }

    /// Requests that reached an API route and have not ended.
    var inProgress: Int {
        counts.withLock { $0.requests.inProgress }
    }

    /// The statistics, with the engine's view of the queue and deployments.
    func stats(_ snapshot: SchedulerSnapshot) -> GatewayStats {
        let (requests, clients, latencies) = counts.withLock { ($0.requests, $0.clients, $0.latencies) }
        let sorted = latencies.sorted()
        func quantile(_ q: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]
        }
        let latency = GatewayStats.Latency(count: sorted.count, p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), max: sorted.last ?? 0)
        return GatewayStats(
            requests: requests, latencySeconds: latency, queued: snapshot.queued, backingOff: snapshot.backingOff, inFlight: snapshot.inFlight,
            upstreamThrottled: snapshot.counters.throttled, upstreamRetries: snapshot.counters.retries,
            deployments: snapshot.deployments.map { GatewayStats.Deployment($0, now: snapshot.at) }, clients: clients,
            cost: cost
        )
    }
}
