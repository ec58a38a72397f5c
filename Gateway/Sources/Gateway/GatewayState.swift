import HeadroomCore

/// The gateway's own mutable state: each client's budget and the counts and
/// latencies behind ``GatewayStats``.
actor GatewayState {
    /// How a request ended, for the counts.
    enum Outcome: String, Sendable {
        case succeeded, failed, rejected, invalid, cancelled
    }

    private var requests = GatewayStats.Requests()
    private var clients: [GatewayStats.Client]
    private var budgets: [ClientBudget]
    /// The latest latencies in seconds, oldest overwritten first.
    private var latencies: [Double] = []
    private var nextLatency = 0
    private let latencyWindow = 10_000

    init(clients: [ClientRegistry.Client]) {
        self.clients = clients.map { GatewayStats.Client(name: $0.name) }
        budgets = clients.map { ClientBudget(requestsPerMinute: $0.requestsPerMinute, tokensPerMinute: $0.tokensPerMinute) }
    }

    /// Counts a request that presented no valid key.
    func unauthorized() {
        requests.total += 1
        requests.unauthorized += 1
    }

    /// Counts an authorized request that has arrived at an API route (see ``RequestTally``).
    func received(from client: ClientRegistry.Client) {
        requests.total += 1
        clients[client.index].requests += 1
    }

    /// Takes `client`'s request of `estimate` tokens from the client's budget;
    /// returns how long to wait instead if the budget cannot pay for it.
    func admit(_ client: ClientRegistry.Client, estimate: Int) -> Duration? {
        guard let wait = budgets[client.index].admit(estimate: estimate, now: .now) else { return nil }
        clients[client.index].rejected += 1
        return wait
    }

    /// Counts how an admitted request ended, `latency` after it arrived.
    func ended(_ outcome: Outcome, latency: Duration) {
        switch outcome {
        case .succeeded:
            requests.succeeded += 1
            let seconds = Double(latency.nanoseconds) / 1e9
            if latencies.count < latencyWindow { latencies.append(seconds) } else { latencies[nextLatency] = seconds }
            nextLatency = (nextLatency + 1) % latencyWindow
        case .failed: requests.failed += 1
        case .rejected: requests.rejected += 1
        case .invalid: requests.invalid += 1
        case .cancelled: requests.cancelled += 1
        }
    }

    /// The statistics, with the engine's view of the queue and deployments.
    func stats(_ snapshot: SchedulerSnapshot) -> GatewayStats {
        let sorted = latencies.sorted()
        func quantile(_ q: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]
        }
        let latency = GatewayStats.Latency(count: sorted.count, p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), max: sorted.last ?? 0)
        return GatewayStats(
            requests: requests, latencySeconds: latency, queued: snapshot.queued, backingOff: snapshot.backingOff, inFlight: snapshot.inFlight,
            upstreamThrottled: snapshot.counters.throttled, upstreamRetries: snapshot.counters.retries,
            deployments: snapshot.deployments.map { GatewayStats.Deployment($0, now: snapshot.at) }, clients: clients
        )
    }
}
