import HeadroomConfiguration
import HeadroomCore

/// A Batch API endpoint as the simulator and `headroom-mock` play it: batches of requests that
/// finish after a drawn turnaround, fail at validation, or expire with part of their requests
/// served, and an enqueued-token quota that fails a batch it would overfill (`token_limit_exceeded`).
///
/// Requests finish in file order: a batch that expires or is cancelled has served its first ones.
///
/// ```swift
/// var endpoint = MockBatchEndpoint(model: BatchEndpointModel(maxEnqueuedTokens: 100_000), seed: 1)
/// let id = endpoint.create(requests: 40, promptTokens: 12_000, now: .zero)
/// endpoint.state(of: id, at: .seconds(3_600)).status   // .completed, once its turnaround has passed
/// ```
public struct MockBatchEndpoint: Sendable {
    /// Where a batch stands at an instant.
    public struct State: Hashable, Sendable {
        /// Its status.
        public var status: BatchStatus
        /// The requests it has served (the first ones of its file).
        public var served: Int
        /// Its requests.
        public var total: Int
        /// When it reaches its final status (for a batch not yet cancelled).
        public var endsAt: Instant
        /// Why it failed, for a failed batch.
        public var problem: String?

        /// Creates a state.
        public init(status: BatchStatus, served: Int, total: Int, endsAt: Instant, problem: String? = nil) {
            self.status = status
            self.served = served
            self.total = total
            self.endsAt = endsAt
            self.problem = problem
        }
    }

    private struct Batch: Sendable {
        let createdAt: Instant
        let requests: Int
        let promptTokens: Int
        /// When validation ends and serving starts.
        let startsAt: Instant
        /// When it ends as drawn.
        let endsAt: Instant
        let fate: Fate
        var cancelledAt: Instant?
    }

    private enum Fate: Sendable {
        case completes
        case fails(String)
        /// It expires at `endsAt`, having served `served` requests.
        case expires(served: Int)
    }

    /// How it behaves.
    public let model: BatchEndpointModel
    private var random: SeededRandom
    private var batches: [Batch] = []

    /// An endpoint behaving as `model`, its draws fixed by `seed`.
    public init(model: BatchEndpointModel, seed: UInt64) {
        self.model = model
        random = SeededRandom(seed: seed ^ 0xBA7C_4E5)
    }

    /// The endpoint of the deployment at `index` of a scenario with seed `seed`: the simulator and
    /// `headroom-mock` make the same draws for it.
    public init(model: BatchEndpointModel, deployment index: Int, scenarioSeed seed: UInt64) {
        self.init(model: model, seed: seed &+ UInt64(index + 1) &* 0xB47C)
    }

    /// Creates a batch of `requests` holding `promptTokens` at `now`, and returns its number. A batch
    /// that would take the tokens enqueued past the quota fails at validation.
    public mutating func create(requests: Int, promptTokens: Int, now: Instant) -> Int {
        let turnaround = Duration.seconds(model.turnaround.seconds(normal: Ziggurat.normal.next(&random)))
        let validation = min(Duration.seconds(5), turnaround / 10)
        let startsAt = now + validation
        let failure = Double(random.next() >> 11) / Double(1 << 53)
        let expiry = Double(random.next() >> 11) / Double(1 << 53)
        let share = Double(random.next() >> 11) / Double(1 << 53)
        let fate: Fate
        var endsAt = now + turnaround
        let enqueued = enqueuedTokens(at: now)
        if enqueued.addingSaturating(promptTokens) > model.maxEnqueuedTokens {
            fate = .fails("token_limit_exceeded: \(enqueued) tokens are enqueued; this batch's \(promptTokens) would pass the limit of \(model.maxEnqueuedTokens).")
            endsAt = startsAt
        } else if failure < model.failureRate {
            fate = .fails("invalid_request: the mock failed this batch on purpose.")
            endsAt = startsAt
        } else if turnaround > model.completionWindow {
            endsAt = now + model.completionWindow
            fate = .expires(served: Int(Double(requests) * (model.completionWindow / turnaround)))
        } else if expiry < model.expiryRate {
            fate = .expires(served: Int(Double(requests) * share))
        } else {
            fate = .completes
        }
        batches.append(Batch(createdAt: now, requests: requests, promptTokens: promptTokens, startsAt: startsAt, endsAt: max(endsAt, startsAt), fate: fate))
        return batches.count - 1
    }

    /// Whether `id` names a batch.
    public func has(_ id: Int) -> Bool { batches.indices.contains(id) }

    /// Where batch `id` stands at `now`.
    public func state(of id: Int, at now: Instant) -> State {
        let batch = batches[id]
        if let cancelledAt = batch.cancelledAt {
            let servedThen = served(batch, at: cancelledAt)
            let over = cancelledAt + model.cancelTime
            return State(status: now >= over ? .cancelled : .cancelling, served: servedThen, total: batch.requests, endsAt: over)
        }
        if now >= batch.endsAt { return finalState(batch) }
        if now < batch.startsAt { return State(status: .validating, served: 0, total: batch.requests, endsAt: batch.endsAt) }
        return State(status: .inProgress, served: served(batch, at: now), total: batch.requests, endsAt: batch.endsAt)
    }

    /// Cancels batch `id` at `now` (nothing, if it has ended or is cancelling).
    public mutating func cancel(_ id: Int, at now: Instant) {
        guard batches[id].cancelledAt == nil, now < batches[id].endsAt else { return }
        batches[id].cancelledAt = now
    }

    /// The prompt tokens of batches not yet ended at `now`.
    public func enqueuedTokens(at now: Instant) -> Int {
        batches.reduce(0) { total, batch in
            let ended: Bool
            if let cancelledAt = batch.cancelledAt { ended = now >= cancelledAt + model.cancelTime } else { ended = now >= batch.endsAt }
            if case .fails = batch.fate { return total }
            return ended ? total : total.addingSaturating(batch.promptTokens)
        }
    }

    private func finalState(_ batch: Batch) -> State {
        switch batch.fate {
        case .completes: State(status: .completed, served: batch.requests, total: batch.requests, endsAt: batch.endsAt)
        case .fails(let problem): State(status: .failed, served: 0, total: batch.requests, endsAt: batch.endsAt, problem: problem)
        case .expires(let served): State(status: .expired, served: served, total: batch.requests, endsAt: batch.endsAt)
        }
    }

    /// The requests served by `now`: in proportion to the serving time gone, up to what its fate serves.
    private func served(_ batch: Batch, at now: Instant) -> Int {
        guard now > batch.startsAt else { return 0 }
        let finally: Int
        switch batch.fate {
        case .completes: finally = batch.requests
        case .fails: return 0
        case .expires(let served): finally = served
        }
        let span = batch.endsAt - batch.startsAt
        guard span > .zero, now < batch.endsAt else { return finally }
        return min(finally, Int(Double(finally) * ((now - batch.startsAt) / span)))
    }
}

/// How a mock batch endpoint behaves: the configuration's `batch` section of a batch deployment, with
/// its enqueued-token quota.
public struct BatchEndpointModel: Hashable, Sendable, Codable {
    /// The quota: prompt tokens enqueued at once.
    public var maxEnqueuedTokens: Int
    /// How long a batch takes.
    public var turnaround: TurnaroundModel
    /// The share of batches failed at validation.
    public var failureRate: Double
    /// The share of batches that expire with part of their requests served.
    public var expiryRate: Double
    /// The completion window: a batch not done by then expires (24 hours).
    public var completionWindow: Duration
    /// How long a cancelled batch takes to wind down.
    public var cancelTime: Duration

    /// A model with `maxEnqueuedTokens`; batches take 10 minutes at the median, an hour at the 99th percentile.
    public init(maxEnqueuedTokens: Int, turnaround: TurnaroundModel = TurnaroundModel(medianSeconds: 600, p99Seconds: 3_600),
                failureRate: Double = 0, expiryRate: Double = 0, completionWindow: Duration = .seconds(86_400), cancelTime: Duration = .seconds(1)) {
        self.maxEnqueuedTokens = maxEnqueuedTokens
        self.turnaround = turnaround
        self.failureRate = failureRate
        self.expiryRate = expiryRate
        self.completionWindow = completionWindow
        self.cancelTime = cancelTime
    }
}
