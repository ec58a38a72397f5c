import Foundation
import HeadroomCore
import HeadroomPolicies
import HeadroomTokenizers

/// Sends requests to real OpenAI and Azure OpenAI deployments, scheduled by
/// Headroom's core: the same state machine the simulator drives, fed with a
/// real clock and answered through the adapters and a transport.
///
/// ```swift
/// let engine = try HeadroomEngine(configuration: .load(path: "headroom.json"))
/// let answer = try await engine.chat(ChatCompletionRequest(model: "gpt-4o", messages: [.init(role: "user", text: "Hi!")]))
/// print(answer.content ?? "")
/// ```
///
/// Cancelling the calling task cancels the request, queued or in flight.
public actor HeadroomEngine {
    private var scheduler: any SchedulerEvents
    private let adapters: [DeploymentID: any ProviderAdapter]
    private let transport: any HTTPTransport
    private let limits: EngineLimits
    private let tokenizer: any Tokenizer
    private let origin = ContinuousClock.now
    private var calls: [JobID: Call] = [:]
    private var timer: Task<Void, Never>?
    private var timerAt: Instant?
    private var isShutDown = false
    private var drained: [CheckedContinuation<Void, Never>] = []
    private let noticeContinuation: AsyncStream<HeadroomError>.Continuation
    /// Takes the configured keys and upstream addresses out of what providers and transports say.
    private let redaction: Redaction
    private let calibrationContinuation: AsyncStream<CalibrationNotice>.Continuation
    /// What the last notices said of each deployment's calibration.
    private var calibration: [CalibrationNotice.State]

    /// What an operator should hear about: a deployment that left rotation, and why.
    public nonisolated let notices: AsyncStream<HeadroomError>
    /// What an operator may want to hear about: a deployment held back by its
    /// provider's headers or a 429, and when that lifts (noticed at the next event).
    public nonisolated let calibrations: AsyncStream<CalibrationNotice>

    /// One caller's request while the scheduler has it.
    private struct Call {
        let operation: ProviderOperation
        let model: String
        let body: [UInt8]
        let estimate: Usage
        var reply: CheckedContinuation<[UInt8], any Error>?
        var stream: AsyncThrowingStream<ChatCompletionChunk, any Error>.Continuation?
        var attempt: Task<Void, Never>?
        /// When the request must be over, and the task that abandons the attempt under way then.
        var deadline: Instant
        var watchdog: Task<Void, Never>?
        var attemptNumber = 0
        var response: [UInt8]?
        var delivered = false
    }

    /// Creates an engine; keys are read from `environment` by the names the configuration gives.
    public init(configuration: EngineConfiguration, transport: any HTTPTransport = URLSessionTransport(),
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(HeadroomError) {
        let resolved = try configuration.resolve(environment: environment)
        let schedulerConfiguration = try configuration.schedulerConfiguration()
        scheduler = try makeSchedulerEvents(resolved.map(\.0), queue: configuration.queue ?? "fifo",
                                            allocation: configuration.allocation ?? "maxHeadroom", configuration: schedulerConfiguration)
        adapters = Dictionary(uniqueKeysWithValues: resolved.map { ($0.0.id, $0.1) })
        redaction = Redaction(
            secrets: configuration.deployments.compactMap { environment[$0.apiKeyEnvironment] },
            addresses: Dictionary(configuration.deployments.compactMap { entry in (entry.endpoint ?? entry.baseURL).map { ($0, entry.id) } },
                                  uniquingKeysWith: { first, _ in first })
        )
        self.transport = transport
        limits = try configuration.limits()
        tokenizer = ClassEstimate(.o200k)
        (notices, noticeContinuation) = AsyncStream<HeadroomError>.makeStream(bufferingPolicy: .bufferingNewest(100))
        (calibrations, calibrationContinuation) = AsyncStream<CalibrationNotice>.makeStream(bufferingPolicy: .bufferingNewest(100))
        calibration = Array(repeating: CalibrationNotice.State(), count: resolved.count)
    }

    // MARK: Public API

    /// Sends a chat completion, waiting for room on a deployment as needed.
    ///
    /// - Throws: ``HeadroomError`` when the request cannot be served (queue full,
    ///   deadline passed, the provider refused it, attempts exhausted), or
    ///   `CancellationError` when the calling task is cancelled.
    public func chat(_ request: ChatCompletionRequest, priority: Int = 0, deadline: Duration? = nil) async throws -> ChatCompletion {
        let request = prepared(request, streaming: false)
        let body = try await send(.chatCompletions, request: request, job: job(for: request, priority: priority, deadline: deadline))
        return ChatCompletion(json: try JSONValue.parse(body))
    }

    /// Embeds one input or many.
    public func embed(_ request: EmbeddingRequest, priority: Int = 0, deadline: Duration? = nil) async throws -> EmbeddingResponse {
        let job = Job(models: request.model.map { [$0] } ?? [], promptTokens: estimatedTokens(for: request), maxOutputTokens: 0,
                      promptCharacters: request.texts.reduce(0) { $0 + $1.count }, priority: priority, deadline: deadline.map(instant(after:)))
        let body = try await send(.embeddings, request: request, job: job)
        return EmbeddingResponse(json: try JSONValue.parse(body))
    }

    /// Streams a chat completion chunk by chunk. An attempt that fails before
    /// its first chunk reaches you is retried; one that fails after ends the stream with the error.
    public func streamChat(_ request: ChatCompletionRequest, priority: Int = 0, deadline: Duration? = nil) -> AsyncThrowingStream<ChatCompletionChunk, any Error> {
        let request = prepared(request, streaming: true)
        let (stream, continuation) = AsyncThrowingStream<ChatCompletionChunk, any Error>.makeStream()
        do {
            let job = job(for: request, priority: priority, deadline: deadline)
            let (id, actions) = try submit(.chatCompletions, request: request, job: job)
            calls[id]?.stream = continuation
            continuation.onTermination = { [weak self] termination in
                if case .cancelled = termination, let self { Task { await self.cancel(id) } }
            }
            handle(actions)
        } catch {
            continuation.finish(throwing: error)
        }
        return stream
    }

    /// The queue and each deployment's state now.
    public func snapshot() -> SchedulerSnapshot {
        scheduler.snapshot(now: now())
    }

    /// Puts a deployment taken out of rotation back in.
    public func enable(_ deployment: DeploymentID) {
        handle(scheduler.enable(deployment, now: now()))
    }

    /// Refuses new requests, then either lets the ones under way finish
    /// (`drain`) or cancels them, and returns when none is left.
    public func shutdown(drain: Bool = false) async {
        isShutDown = true
        if !drain { handle(scheduler.cancelAll(now: now())) }
        if !calls.isEmpty {
            await withCheckedContinuation { drained.append($0) }
        }
        timer?.cancel()
        timer = nil
        noticeContinuation.finish()
        calibrationContinuation.finish()
    }

    // MARK: Submitting

    /// `request` as it goes upstream: streaming or not, and with an output limit. One that sets none
    /// gets the configured default as `max_tokens`, so that what the engine reserves is what the
    /// provider charges (a provider without the field's value would charge its own default).
    private func prepared(_ request: ChatCompletionRequest, streaming: Bool) -> ChatCompletionRequest {
        var request = request
        request.stream = streaming ? true : nil
        if request.outputLimit == nil { request.maxTokens = limits.defaultMaxTokens }
        return request
    }

    /// The tokens the engine plans for a chat request: its estimated prompt
    /// and its output limit (the configured default when it sets none), times `n`.
    public nonisolated func estimatedTokens(for request: ChatCompletionRequest) -> Int {
        promptTokens(of: request).addingSaturating(outputTokens(of: request))
    }

    /// The tokens the engine plans for an embedding request: its inputs' estimated tokens.
    public nonisolated func estimatedTokens(for request: EmbeddingRequest) -> Int {
        request.texts.reduce(0) { $0 + tokenizer.count($1) }
    }

    private nonisolated func promptTokens(of request: ChatCompletionRequest) -> Int {
        ChatTokenCount.count(request.messages.map { (role: $0.role, content: $0.text, name: $0.name) }, using: tokenizer)
    }

    /// The output limit times `n`, clamped to the bounds of `Int`: both come from the client, and the
    /// scheduler refuses a job beyond its bounds with a clear error rather than trapping here.
    private nonisolated func outputTokens(of request: ChatCompletionRequest) -> Int {
        let (product, overflow) = (request.outputLimit ?? limits.defaultMaxTokens).multipliedReportingOverflow(by: max(1, request.n ?? 1))
        return overflow ? .max : product
    }

    private func job(for request: ChatCompletionRequest, priority: Int, deadline: Duration?) -> Job {
        Job(models: request.model.map { [$0] } ?? [], promptTokens: promptTokens(of: request), maxOutputTokens: outputTokens(of: request),
                   promptCharacters: request.messages.reduce(0) { $0 + $1.text.count }, priority: priority,
                   deadline: deadline.map(instant(after:)))
    }

    private func submit(_ operation: ProviderOperation, request: some Encodable, job: Job) throws -> (JobID, [SchedulerAction]) {
        guard !isShutDown else { throw HeadroomError(.invalidConfiguration, "The engine has shut down; create a new one.") }
        let body = try JSONEncoder().encode(request)
        var job = job
        // Every request ends by its deadline: the caller's, or the configured longest.
        let latest = instant(after: limits.requestTimeout)
        let deadline = min(job.deadline ?? latest, latest)
        job.deadline = deadline
        let (id, actions) = scheduler.submit(job, now: now())
        calls[id] = Call(operation: operation, model: job.models.first ?? "", body: Array(body),
                         estimate: Usage(promptTokens: job.promptTokens, completionTokens: 0), deadline: deadline)
        return (id, actions)
    }

    private func send(_ operation: ProviderOperation, request: some Encodable, job: Job) async throws -> [UInt8] {
        let (id, actions) = try submit(operation, request: request, job: job)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (reply: CheckedContinuation<[UInt8], any Error>) in
                calls[id]?.reply = reply
                handle(actions)
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    private func cancel(_ id: JobID) {
        handle(scheduler.cancel(id, now: now()))
    }

    // MARK: Actions

    private func handle(_ actions: [SchedulerAction]) {
        for action in actions {
            switch action {
            case .dispatch(let id, let deployment, let attempt):
                start(id, on: deployment, attempt: attempt)
            case .finish(let id, let result):
                finish(id, result)
            case .scheduleWakeup(let at):
                arm(at)
            case .deploymentDisabled(_, let notice):
                noticeContinuation.yield(notice)
            }
        }
        noteCalibration()
    }

    /// Tells ``calibrations`` of each deployment whose calibration changed since it last told.
    private func noteCalibration() {
        let snapshot = scheduler.snapshot(now: now())
        for (d, deployment) in snapshot.deployments.enumerated() where CalibrationNotice.State(deployment) != calibration[d] {
            for notice in CalibrationNotice.changes(from: calibration[d], to: deployment, now: snapshot.at) {
                calibrationContinuation.yield(notice)
            }
            calibration[d] = CalibrationNotice.State(deployment)
        }
    }

    private func finish(_ id: JobID, _ result: JobResult) {
        guard let call = calls.removeValue(forKey: id) else { return }
        call.watchdog?.cancel()
        switch result {
        case .succeeded:
            call.reply?.resume(returning: call.response ?? [])
            call.stream?.finish()
        case .failed(let error):
            call.reply?.resume(throwing: error)
            call.stream?.finish(throwing: error)
        case .cancelled:
            call.attempt?.cancel()
            call.reply?.resume(throwing: CancellationError())
            call.stream?.finish(throwing: CancellationError())
        }
        if calls.isEmpty {
            for waiter in drained { waiter.resume() }
            drained.removeAll()
        }
    }

    private func arm(_ at: Instant) {
        guard at != timerAt else { return }
        timer?.cancel()
        timerAt = at
        let deadline = origin.advanced(by: .nanoseconds(at.nanoseconds))
        timer = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled, let self else { return }
            await self.tick()
        }
    }

    private func tick() {
        timerAt = nil
        handle(scheduler.tick(now: now()))
    }

    // MARK: Attempts

    private func start(_ id: JobID, on deployment: DeploymentID, attempt: Int) {
        guard let call = calls[id], let adapter = adapters[deployment] else { return }
        let request: HTTPRequestData
        do {
            request = try adapter.request(call.operation, body: call.body, model: call.model)
        } catch {
            handle(scheduler.complete(id, outcome: .permanentFailure(message: error.message), rateLimits: nil, now: now()))
            return
        }
        calls[id]?.attemptNumber = attempt
        let streaming = call.stream != nil
        let provider = adapter.provider
        let transport = self.transport
        let timeout = limits.attemptTimeout
        let maxAnswerBytes = limits.maxAnswerBytes
        calls[id]?.attempt = Task { [weak self] in
            let outcome: ClassifiedResponse
            var body: [UInt8] = []
            do {
                let response = try await transport.send(request, timeout: timeout)
                let accepted = (200 ..< 300).contains(response.status)
                if streaming && accepted {
                    outcome = await self?.relay(id, attempt: attempt, response: response, provider: provider, maxEventBytes: maxAnswerBytes)
                        ?? ResponseClassifier.transportFailure("the engine went away")
                } else {
                    do {
                        body = try await response.collect(upTo: maxAnswerBytes)
                        outcome = ResponseClassifier.classify(status: response.status, headers: response.headers, body: body,
                                                              provider: provider, receivedAt: Date())
                    } catch let error where !(error is CancellationError) && accepted {
                        // The provider accepted the request (and may bill it): not sent again unless it says it failed.
                        outcome = ResponseClassifier.brokenAnswer("\(error)", headers: response.headers, provider: provider)
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                outcome = ResponseClassifier.transportFailure("\(error)")
            }
            await self?.ended(id, attempt: attempt, outcome: outcome, body: body)
        }
        let deadline = origin.advanced(by: .nanoseconds(call.deadline.nanoseconds))
        calls[id]?.watchdog?.cancel()
        calls[id]?.watchdog = Task { [weak self] in
            guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
            await self?.overran(id, attempt: attempt)
        }
    }

    /// The request's deadline came with attempt `attempt` still under way: it is abandoned, and the
    /// scheduler, told it failed, ends the request (past its deadline, nothing is retried).
    private func overran(_ id: JobID, attempt: Int) {
        guard let call = calls[id], call.attemptNumber == attempt, let task = call.attempt else { return }
        task.cancel()
        ended(id, attempt: attempt, outcome: ResponseClassifier.transportFailure("no complete answer by the request's deadline"), body: [])
    }

    /// Passes a stream's chunks to the caller as they come; the outcome is known at its end.
    private func relay(_ id: JobID, attempt: Int, response: HTTPResponseStream, provider: ProviderKind, maxEventBytes: Int) async -> ClassifiedResponse {
        let headers = RateLimitHeaders(response.headers, provider: provider, receivedAt: Date())
        var usage: Usage?
        var chunks = 0
        do {
            var events = ServerSentEvents(response.body, maxEventBytes: maxEventBytes).makeAsyncIterator()
            while let event = try await events.next() {
                let chunk = ChatCompletionChunk(json: try JSONValue.parse(Array(event.utf8)))
                if let reported = chunk.usage { usage = reported }
                guard let call = calls[id], call.attemptNumber == attempt else { break }
                calls[id]?.delivered = true
                call.stream?.yield(chunk)
                chunks += 1
            }
            // A stream that stops without `[DONE]` is broken, not complete (one not in SSE at all has no events either).
            if !events.completed, calls[id]?.attemptNumber == attempt { throw StreamEndedEarly() }
        } catch is CancellationError {
            return ResponseClassifier.transportFailure("cancelled")
        } catch {
            // The provider accepted the request (and may bill it): not sent again, whether or not a chunk reached the caller.
            return ResponseClassifier.brokenAnswer("the stream broke after \(chunks) chunk(s): \(error)", headers: response.headers, provider: provider)
        }
        let estimate = calls[id]?.estimate ?? Usage(promptTokens: 0, completionTokens: 0)
        return ClassifiedResponse(responseClass: .success, message: "OK", code: nil,
                                  outcome: .succeeded(usage ?? Usage(promptTokens: estimate.promptTokens, completionTokens: chunks)),
                                  rateLimits: headers.observation)
    }

    private func ended(_ id: JobID, attempt: Int, outcome: ClassifiedResponse, body: [UInt8]) {
        guard let call = calls[id], call.attemptNumber == attempt, call.attempt != nil else { return }
        calls[id]?.attempt = nil
        calls[id]?.watchdog?.cancel()
        calls[id]?.watchdog = nil
        if case .succeeded = outcome.outcome { calls[id]?.response = body }
        // What a provider or transport said goes on to callers, operators and logs: never with a secret in it.
        var result = redacted(outcome.outcome)
        // Once a chunk has reached the caller the attempt cannot be replayed.
        if call.delivered, case .transientFailure(_, let message) = result {
            result = .brokenAnswer(message: message)
        }
        handle(scheduler.complete(id, outcome: result, rateLimits: outcome.rateLimits, now: now()))
    }

    private func redacted(_ outcome: AttemptOutcome) -> AttemptOutcome {
        switch outcome {
        case .succeeded, .throttled: outcome
        case .transientFailure(let retryAfter, let message): .transientFailure(retryAfter: retryAfter, message: redaction.apply(message))
        case .deploymentUnavailable(let message): .deploymentUnavailable(message: redaction.apply(message))
        case .permanentFailure(let message): .permanentFailure(message: redaction.apply(message))
        case .brokenAnswer(let message): .brokenAnswer(message: redaction.apply(message))
        }
    }

    // MARK: Time

    private func now() -> Instant {
        Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds)
    }

    private nonisolated func instant(after duration: Duration) -> Instant {
        Instant(nanoseconds: (ContinuousClock.now + duration - origin).nanoseconds)
    }
}

/// A scheduler with the named policies.
func makeSchedulerEvents(
    _ deployments: [Deployment], queue: String, allocation: String, configuration: SchedulerConfiguration
) throws(HeadroomError) -> any SchedulerEvents {
    func with<Q: QueuePolicy>(_ queue: Q) throws(HeadroomError) -> any SchedulerEvents {
        switch allocation {
        case "maxHeadroom": return try Scheduler(deployments: deployments, queue: queue, allocation: .maxHeadroom, configuration: configuration)
        case "weightedRandom": return try Scheduler(deployments: deployments, queue: queue, allocation: .weightedRandom, configuration: configuration)
        case "roundRobin": return try Scheduler(deployments: deployments, queue: queue, allocation: .roundRobin, configuration: configuration)
        case "leastLoaded": return try Scheduler(deployments: deployments, queue: queue, allocation: .leastLoaded, configuration: configuration)
        default: throw HeadroomError(.invalidConfiguration, "allocation is '\(allocation)'; use maxHeadroom, weightedRandom, roundRobin or leastLoaded.")
        }
    }
    switch queue {
    case "fifo": return try with(FIFOQueue())
    case "priority": return try with(PriorityQueue())
    default: throw HeadroomError(.invalidConfiguration, "queue is '\(queue)'; use fifo or priority.")
    }
}

/// A stream that stopped without `data: [DONE]`.
private struct StreamEndedEarly: Error, CustomStringConvertible {
    var description: String { "it ended without [DONE]" }
}
