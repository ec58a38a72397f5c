import Foundation
import HeadroomCore

/// A deployment that rate-limits, answers and fails the way its provider does,
/// in virtual time. The simulator's upstream, and the mock server's.
public struct MockEndpoint: Sendable {
    /// What became of a request that reached the endpoint.
    public struct Response: Hashable, Sendable {
        /// When the answer comes back.
        public var at: Instant
        /// The answer, as the scheduler is told it.
        public var outcome: AttemptOutcome
        /// What the rate-limit headers said, as a client reads them (`nil`: none, or none it can read).
        public var rateLimits: RateLimitObservation?
        /// The charge the provider counted (0 for a refusal).
        public var charged: Int
        /// The HTTP status a real server would answer with: 200, 404 (a model it does not serve), 429, 500,
        /// 503 (outage) or 504 (a request that never answers, given up at `at`).
        public var status: Int
    }

    /// The model this endpoint follows.
    public let model: EndpointModel
    /// Requests that were accepted and have not answered yet.
    public private(set) var inFlight = 0
    private var limiter: Limiter
    private var random: SeededRandom
    /// The headers of the last answer, for the dialect that lags a request behind.
    private var lastHeaders: RateLimitObservation?

    /// Creates an endpoint; `seed` fixes its latency jitter and faults.
    public init(model: EndpointModel, seed: UInt64) {
        self.model = model
        self.random = SeededRandom(seed: seed)
        switch model.limiter {
        case .azure(let seconds):
            limiter = Limiter(azure: AzureWindows(requestsPerMinute: model.requestsPerMinute, tokensPerMinute: model.tokensPerMinute,
                                                  subWindow: Duration.seconds(seconds).nanoseconds, minute: model.enforcesMinute,
                                                  admission: model.admission))
        case .openAI:
            limiter = Limiter(buckets: RefillingBuckets(requestsPerMinute: model.requestsPerMinute, tokensPerMinute: model.tokensPerMinute))
        case .anthropic(let output):
            limiter = Limiter(buckets: RefillingBuckets(requestsPerMinute: model.requestsPerMinute, tokensPerMinute: model.tokensPerMinute,
                                                    outputTokensPerMinute: output))
        }
    }

    /// A request arrives at `now`: refuse it or accept it, and say when and how it answers.
    public mutating func handle(_ request: SimulatedRequest, now: Instant) -> Response {
        handle(promptTokens: request.promptTokens, maxTokens: request.maxTokens, outputTokens: request.outputTokens, now: now)
    }

    /// A request of these sizes (`outputTokens`: what the model will generate) arrives at `now`.
    public mutating func handle(promptTokens: Int, maxTokens: Int, outputTokens: Int, now: Instant) -> Response {
        let time = now.nanoseconds
        // When a refusal (an outage's 503, a 429) answers.
        var refusal: Instant { Instant(nanoseconds: time.adding(seconds: model.latency.refusalSeconds)) }
        if !model.faults.outages.isEmpty {
            let seconds = Double(time) / 1e9
            if model.faults.outages.contains(where: { seconds >= $0.start && seconds < $0.end }) {
                return Response(at: refusal, outcome: .transientFailure(retryAfter: nil, message: "503 Service Unavailable (outage)"),
                                rateLimits: headers(now: time), charged: 0, status: 503)
            }
        }
        let charge = model.charge(promptTokens: promptTokens, maxTokens: maxTokens)
        let admission = limiter.admit(tokens: charge, outputTokens: maxTokens, now: time)
        let rateLimits = headers(now: time)
        if let retryAfter = admission {
            // Azure's Responses API sends no retry-after.
            let wait: Duration? = model.headers == .unknown ? nil : .nanoseconds(retryAfter)
            return Response(at: refusal, outcome: .throttled(retryAfter: wait), rateLimits: rateLimits, charged: 0, status: 429)
        }
        inFlight += 1
        let roll = random.nextUnit()
        let faults = model.faults
        if roll < faults.timeoutRate {
            return Response(at: Instant(nanoseconds: time.adding(seconds: faults.timeoutSeconds)),
                            outcome: .transientFailure(retryAfter: nil, message: "timed out after \(faults.timeoutSeconds) s"),
                            rateLimits: rateLimits, charged: charge, status: 504)
        }
        let latency = model.latency
        var seconds = latency.firstTokenSeconds + latency.perOutputTokenSeconds * Double(outputTokens)
        if latency.jitter > 0 { seconds *= 1 + latency.jitter * (2 * random.nextUnit() - 1) }
        if latency.slowdownPerInFlight > 0 { seconds *= 1 + latency.slowdownPerInFlight * Double(inFlight - 1) }
        let at = Instant(nanoseconds: time.adding(seconds: seconds))
        // Output limited apart is charged at `max_tokens`, and what was not generated comes back at the answer.
        limiter.buckets?.giveBack(outputTokens: max(0, maxTokens - outputTokens), at: at.nanoseconds)
        if roll < faults.timeoutRate + faults.errorRate {
            return Response(at: at, outcome: .transientFailure(retryAfter: nil, message: "500 Internal Server Error"),
                            rateLimits: rateLimits, charged: charge, status: 500)
        }
        return Response(at: at, outcome: .succeeded(Usage(promptTokens: promptTokens, completionTokens: outputTokens)),
                        rateLimits: rateLimits, charged: charge, status: 200)
    }

    /// A request for a model the deployment does not serve: refused at once with a 404, charged nothing.
    public func notServed(now: Instant) -> Response {
        Response(at: Instant(nanoseconds: now.nanoseconds.adding(seconds: model.latency.refusalSeconds)),
                 outcome: .permanentFailure(message: "404 Not Found: the deployment does not serve this model"),
                 rateLimits: nil, charged: 0, status: 404)
    }

    /// An accepted request has answered (call once for each accepted request).
    public mutating func finished() {
        inFlight = max(0, inFlight - 1)
    }

    /// Another client's request of `tokens` reaches the shared quota; returns whether it was accepted.
    @discardableResult
    public mutating func background(tokens: Int, now: Instant) -> Bool {
        limiter.admit(tokens: tokens, outputTokens: 0, now: now.nanoseconds) == nil
    }

    /// What the limiter has left now, in full: every figure a header could carry.
    public func rateLimits(now: Instant) -> RateLimitObservation {
        limiter.observation(now: now.nanoseconds, window: .minute)
    }

    /// The headers of an answer given now, in the endpoint's dialect, as a client reads them.
    private mutating func headers(now: Int64) -> RateLimitObservation? {
        switch model.headers {
        case .none:
            return nil
        case .unknown:
            // `-1` remaining requests reads as nothing; `0` tokens as nothing left.
            return RateLimitObservation(tokens: .init(remaining: 0), refill: limiter.refill)
        case .lagging:
            let current = limiter.observation(now: now, window: .minute).remainders
            defer { lastHeaders = current }
            return lastHeaders
        case .minuteRemainder:
            return limiter.observation(now: now, window: .minute).remainders
        case .windowRemainder:
            return limiter.observation(now: now, window: .shortest).remainders
        case .durations:
            return limiter.observation(now: now, window: .minute)
        }
    }
}

extension RateLimitObservation {
    /// Only the remaining counts, as a server that sends no limit or reset says them.
    var remainders: RateLimitObservation {
        RateLimitObservation(requests: requests.map { Budget(remaining: $0.remaining) }, tokens: tokens.map { Budget(remaining: $0.remaining) },
                             refill: refill)
    }
}

/// Which window's figures a header reports.
enum ReportedWindow {
    case minute, shortest
}

/// Azure's windows or the refilling buckets, kept in an optional so that it is mutated in place
/// (an enum payload would be copied, array and all, on every request).
struct Limiter: Sendable {
    var azure: AzureWindows?
    var buckets: RefillingBuckets?

    /// Charges `tokens`, `outputTokens` where output is limited apart, and one request if all fit;
    /// otherwise returns the wait in nanoseconds.
    mutating func admit(tokens: Int, outputTokens: Int, now: Int64) -> Int64? {
        if azure != nil { return azure!.admit(tokens: tokens, now: now) }
        return buckets!.admit(tokens: tokens, outputTokens: outputTokens, now: now)
    }

    func observation(now: Int64, window: ReportedWindow) -> RateLimitObservation {
        azure?.observation(now: now, window: window) ?? buckets!.observation(now: now)
    }

    /// How the budget comes back, as a client infers it from the provider.
    var refill: RateLimitObservation.Refill { azure == nil ? .continuous : .atReset }
}

/// Azure's fixed windows: a minute (unless left out), and a shorter window with
/// its share of the limits. A request larger than a window's share goes when that
/// window is empty; with crossing admission, any request goes while the counts are below the limits.
struct AzureWindows: Sendable {
    struct Window: Sendable {
        let length: Int64
        let tokenBudget: Int
        let requestBudget: Int
        let crossing: Bool
        var number: Int64 = .min
        var tokens = 0
        var requests = 0

        mutating func roll(to now: Int64) {
            let current = now / length
            if current != number {
                number = current
                tokens = 0
                requests = 0
            }
        }

        func admits(_ charge: Int) -> Bool {
            if tokens == 0 && requests == 0 { return true }
            if crossing { return tokens < tokenBudget && requests < requestBudget }
            return tokens + charge <= tokenBudget && requests < requestBudget
        }

        func end() -> Int64 { (number + 1) * length }
    }

    /// The minute (if enforced) first, then the sub-window (if shorter).
    var windows: [Window] = []

    init(requestsPerMinute: Int, tokensPerMinute: Int, subWindow: Int64, minute: Bool = true, admission: EndpointModel.Admission = .withinLimits) {
        let length = Duration.seconds(60).nanoseconds
        func share(_ perMinute: Int, _ window: Int64) -> Int {
            max(1, Int(Double(perMinute) * Double(window) / Double(length)))
        }
        let crossing = admission == .crossing
        if minute || subWindow >= length {
            windows.append(Window(length: length, tokenBudget: tokensPerMinute, requestBudget: requestsPerMinute, crossing: crossing))
        }
        if subWindow < length {
            windows.append(Window(length: subWindow, tokenBudget: share(tokensPerMinute, subWindow),
                                  requestBudget: share(requestsPerMinute, subWindow), crossing: crossing))
        }
    }

    mutating func admit(tokens: Int, now: Int64) -> Int64? {
        var wait: Int64?
        for w in windows.indices {
            windows[w].roll(to: now)
            if !windows[w].admits(tokens) { wait = max(wait ?? 0, windows[w].end() - now) }
        }
        if let wait { return wait }
        for w in windows.indices {
            windows[w].tokens += tokens
            windows[w].requests += 1
        }
        return nil
    }

    func observation(now: Int64, window reported: ReportedWindow) -> RateLimitObservation {
        var window = reported == .minute ? windows[0] : windows[windows.count - 1]
        window.roll(to: now)
        let reset = window.end() - now
        return RateLimitObservation(
            requests: .init(remaining: max(0, window.requestBudget - window.requests), limit: window.requestBudget, resetNanoseconds: reset),
            tokens: .init(remaining: max(0, window.tokenBudget - window.tokens), limit: window.tokenBudget, resetNanoseconds: reset),
            refill: .atReset
        )
    }
}

/// Buckets that each hold a minute's limit and refill continuously: OpenAI's requests
/// and tokens; Anthropic's have a third for output tokens, charged at `max_tokens` on
/// arrival and given back what was not generated when the answer comes.
struct RefillingBuckets: Sendable {
    struct Bucket: Sendable {
        let capacity: Double
        let perNanosecond: Double
        var level: Double
        var updated: Int64 = 0

        init(perMinute: Int) {
            capacity = Double(perMinute)
            perNanosecond = Double(perMinute) / 60e9
            level = capacity
        }

        mutating func refill(to now: Int64) {
            level = min(capacity, level + Double(max(0, now - updated)) * perNanosecond)
            updated = max(updated, now)
        }

        func wait(for amount: Double) -> Int64 {
            level >= amount ? 0 : Int64(((amount - level) / perNanosecond).rounded(.up))
        }

        func untilFull() -> Int64 { Int64(((capacity - level) / perNanosecond).rounded(.up)) }

        /// The bucket as its headers describe it.
        var budget: RateLimitObservation.Budget {
            .init(remaining: Int(level), limit: Int(capacity), resetNanoseconds: untilFull())
        }
    }

    var requests: Bucket
    var tokens: Bucket
    var outputs: Bucket?
    /// Output tokens to give back, and when: (instant, tokens), in no order.
    private var givingBack: [(at: Int64, tokens: Int)] = []

    init(requestsPerMinute: Int, tokensPerMinute: Int, outputTokensPerMinute: Int? = nil) {
        requests = Bucket(perMinute: requestsPerMinute)
        tokens = Bucket(perMinute: tokensPerMinute)
        outputs = outputTokensPerMinute.map(Bucket.init(perMinute:))
    }

    mutating func admit(tokens charge: Int, outputTokens: Int, now: Int64) -> Int64? {
        refill(to: now)
        let wait = max(requests.wait(for: 1), tokens.wait(for: Double(charge)), outputs?.wait(for: Double(outputTokens)) ?? 0)
        if wait > 0 { return wait }
        requests.level -= 1
        tokens.level -= Double(charge)
        outputs?.level -= Double(outputTokens)
        return nil
    }

    /// Gives `outputTokens` back to the output bucket at `at` (nothing without one).
    mutating func giveBack(outputTokens: Int, at: Int64) {
        guard outputs != nil, outputTokens > 0 else { return }
        givingBack.append((at, outputTokens))
    }

    private mutating func refill(to now: Int64) {
        requests.refill(to: now)
        tokens.refill(to: now)
        guard outputs != nil else { return }
        outputs!.refill(to: now)
        if givingBack.contains(where: { $0.at <= now }) {
            let due = givingBack.filter { $0.at <= now }.reduce(0) { $0 + $1.tokens }
            givingBack.removeAll { $0.at <= now }
            outputs!.level = min(outputs!.capacity, outputs!.level + Double(due))
        }
    }

    /// The buckets' levels at `now`. (Not on a copy of the buckets: that would copy what is given back too.)
    func observation(now: Int64) -> RateLimitObservation {
        var requests = self.requests, tokens = self.tokens
        requests.refill(to: now)
        tokens.refill(to: now)
        var observation = RateLimitObservation(requests: requests.budget, tokens: tokens.budget, refill: .continuous)
        if var outputs {
            outputs.refill(to: now)
            outputs.level = min(outputs.capacity, outputs.level + Double(givingBack.filter { $0.at <= now }.reduce(0) { $0 + $1.tokens }))
            observation.outputTokens = outputs.budget
        }
        return observation
    }
}
