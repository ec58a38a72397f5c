import Foundation
import HeadroomCore
import HeadroomPolicies
import HeadroomTokenizers

/// Sends requests to real OpenAI and Azure OpenAI deployments, scheduled by
/// Headroom's core: the same state machine the simulator drives, fed with a
/// real clock and answered through the adapters and a transport.
///
/// ```swift
/// let engine = try HeadroomEngine(configuration: .load(path: "headroom.json")) // import HeadroomConfiguration
/// let answer = try await engine.chat(ChatCompletionRequest(model: "gpt-4o", messages: [.init(role: "user", text: "Hi!")]))
/// print(answer.content ?? "")
/// ```
///
/// Cancelling the calling task cancels the request, queued or in flight.
public actor HeadroomEngine {
    var scheduler: any SchedulerEvents
    let adapters: [DeploymentID: any ProviderAdapter]
    let transport: any HTTPTransport
    /// The bounds it keeps: the default output limit, timeouts, the largest answer.
    public nonisolated let limits: EngineLimits
    private let tokenizer: any Tokenizer
    let clock: any EngineClock
    var calls: [JobID: Call] = [:]
    /// Actions to carry out, and whether ``handle(_:)`` is carrying them out now.
    private var pending: [SchedulerAction] = []
    private var isHandling = false
    private var timer: Task<Void, Never>?
    private var timerAt: Instant?
    /// Wakes at the earliest deadline of the attempts under way.
    private var watchdog: Task<Void, Never>?
    private var watchdogAt: Instant?
    private var isShutDown = false
    private var drained: [CheckedContinuation<Void, Never>] = []
    private let noticeContinuation: AsyncStream<HeadroomError>.Continuation
    /// Takes the configured keys and upstream addresses out of what providers and transports say.
    let redaction: Redaction
    private let calibrationContinuation: AsyncStream<CalibrationNotice>.Continuation
    /// What the last notices said of each deployment's calibration.
    private var calibration: [CalibrationNotice.State]
    /// The batch deployments' files, batches and kept answers.
    var desk: BatchDesk

    /// What an operator should hear about: a deployment that left rotation, and why.
    public nonisolated let notices: AsyncStream<HeadroomError>
    /// What an operator may want to hear about: a deployment held back by its
    /// provider's headers or a 429, and when that lifts (noticed at the next event).
    public nonisolated let calibrations: AsyncStream<CalibrationNotice>

    /// One caller's request while the scheduler has it.
    struct Call {
        let operation: ProviderOperation
        let model: String
        let body: [UInt8]
        let estimate: Usage
        var reply: CheckedContinuation<APIAnswer, any Error>?
        var stream: AsyncThrowingStream<APIStreamPart, any Error>.Continuation?
        var attempt: Task<Void, Never>?
        /// When the request must be over: the attempt under way then is abandoned (see ``watch(_:)``).
        var deadline: Instant
        var attemptNumber = 0
        var answer: APIAnswer?
        /// Header fields the caller asked to send along.
        let headers: [HTTPField]
        /// When the request was submitted, and how long it then waited for its first attempt.
        let submitted: Instant
        var queuedFor: Duration?
        var delivered = false
        /// What a request that accepts batch is known by: its caller's request id within its tenant, and its body (``BatchDesk/key(_:tenant:body:)``).
        var batchKey: String?
        /// Where its attempt on a batch deployment stands, while it has one.
        var batch: BatchDesk.Phase?
    }

    /// Creates an engine from parts: a scheduler with policies of your choosing (your own
    /// included), an adapter for each of its deployments, the tokenizer that estimates prompts,
    /// the engine's bounds and its clock. `secrets` (keys, say) never appear in what providers
    /// or transports say that the engine passes on.
    ///
    /// ```swift
    /// let scheduler = try Scheduler(deployments: [east], queue: MyQueue(), allocation: .maxHeadroom)
    /// let engine = try HeadroomEngine(scheduler: scheduler, adapters: ["east": AzureOpenAIAdapter(endpoint: url, apiKey: key)])
    /// ```
    public init<Queue: QueuePolicy, Allocation: AllocationPolicy>(
        scheduler: Scheduler<Queue, Allocation>, adapters: [DeploymentID: any ProviderAdapter],
        transport: any HTTPTransport = URLSessionTransport(), tokenizer: any Tokenizer = ClassEstimate(.o200k),
        limits: EngineLimits = EngineLimits(), clock: any EngineClock = ContinuousEngineClock(), secrets: [String] = [],
        batches: [DeploymentID: BatchDeployment] = [:], journal: BatchJournal? = nil
    ) throws(HeadroomError) {
        try self.init(scheduler, adapters: adapters, transport: transport, tokenizer: tokenizer, limits: limits, clock: clock,
                      redaction: Redaction(secrets: secrets, addresses: [:]), batches: batches, journal: journal)
    }

    /// The designated initializer, for the configuration-file initializer (module HeadroomConfiguration).
    package init(_ scheduler: any SchedulerEvents, adapters: [DeploymentID: any ProviderAdapter], transport: any HTTPTransport,
                 tokenizer: any Tokenizer, limits: EngineLimits, clock: any EngineClock, redaction: Redaction,
                 batches: [DeploymentID: BatchDeployment] = [:], journal: BatchJournal? = nil) throws(HeadroomError) {
        let snapshots = scheduler.snapshot(now: Instant(nanoseconds: 0)).deployments
        let deployments = snapshots.map(\.id)
        if let missing = deployments.first(where: { adapters[$0] == nil }) {
            throw HeadroomError(.invalidConfiguration, "Deployment '\(missing)' has no adapter; give one for each of the scheduler's deployments.")
        }
        let batchDeployments = Set(snapshots.filter { $0.kind == .batch }.map(\.id))
        if let stray = Set(batches.keys).symmetricDifference(batchDeployments).first {
            throw HeadroomError(.invalidConfiguration, batchDeployments.contains(stray)
                ? "Batch deployment '\(stray)' has no BatchDeployment; give one for each deployment of kind batch."
                : "'\(stray)' has a BatchDeployment but is not a deployment of kind batch in the scheduler.")
        }
        desk = BatchDesk(deployments: batches, journal: journal, keptAnswerBytes: limits.maxKeptAnswerBytes)
        self.scheduler = scheduler
        self.adapters = adapters
        self.transport = transport
        self.tokenizer = tokenizer
        self.limits = limits
        self.clock = clock
        self.redaction = redaction
        (notices, noticeContinuation) = AsyncStream<HeadroomError>.makeStream(bufferingPolicy: .bufferingNewest(100))
        (calibrations, calibrationContinuation) = AsyncStream<CalibrationNotice>.makeStream(bufferingPolicy: .bufferingNewest(100))
        calibration = Array(repeating: CalibrationNotice.State(), count: deployments.count)
    }

    // MARK: Public API

    /// Sends a request body, waiting for room on a deployment as needed, and returns the provider's
    /// answer as it came. The body goes upstream as it is, but for what must change: the model (or
    /// Azure deployment) each adapter names, and `max_tokens` set to the configured default when the
    /// body sets no output limit, so that what the engine reserves is what the provider charges.
    ///
    /// - Throws: ``HeadroomError`` when the request cannot be served (queue full,
    ///   deadline passed, the provider refused it, attempts exhausted; a streaming body, which
    ///   ``stream(_:priority:deadline:)`` sends), or `CancellationError` when the calling task is cancelled.
    public func send(_ request: APIRequest, priority: Int = 0, deadline: Duration? = nil) async throws -> APIAnswer {
        guard !request.isStreaming else { throw HeadroomError(.invalidJob, "The body asks to stream; send it with stream(_:).") }
        let batchKey = request.acceptsBatch ? request.requestID.map { BatchDesk.key($0, tenant: request.tenant, body: request.bytes) } : nil
        if let batchKey, !isShutDown {
            if let answer = try await batchAnswer(for: batchKey) { return answer }
        }
        let (id, actions) = try submit(request, priority: priority, deadline: deadline, batchKey: batchKey)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (reply: CheckedContinuation<APIAnswer, any Error>) in
                calls[id]?.reply = reply
                handle(actions)
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    /// Streams a chat completion: its head (the attempt that answers and the provider's header
    /// fields), each event's data as the provider sent it (checked to be a JSON object), then the
    /// usage, once the provider's `[DONE]` has come. An attempt that fails before its first event
    /// reaches you is retried; one that fails after ends the stream with the error. The body is sent
    /// as ``send(_:priority:deadline:)`` sends it, with `"stream": true`.
    public func stream(_ request: APIRequest, priority: Int = 0, deadline: Duration? = nil) -> AsyncThrowingStream<APIStreamPart, any Error> {
        let (stream, continuation) = AsyncThrowingStream<APIStreamPart, any Error>.makeStream()
        do {
            guard request.operation != .embeddings else { throw HeadroomError(.invalidJob, "Only chat completions and messages stream.") }
            var request = request
            if !request.isStreaming { try request.set("stream", to: .bool(true)) }
            let (id, actions) = try submit(request, priority: priority, deadline: deadline)
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

    /// From now on uses `share` (0 to 1) of `deployment`'s limits, other instances of Headroom
    /// using the rest (see ``Scheduler/share(_:for:now:)``).
    public func share(_ share: Double, for deployment: DeploymentID) {
        handle(scheduler.share(share, for: deployment, now: now()))
    }

    /// Holds `deployment` back for `duration`, as another instance was told by a 429
    /// (see ``Scheduler/hold(_:until:now:)``).
    public func hold(_ deployment: DeploymentID, for duration: Duration) {
        let now = now()
        handle(scheduler.hold(deployment, until: now + duration, now: now))
    }

    /// Refuses new requests, then either lets the ones under way finish
    /// (`drain`) or cancels them, and returns when none is left.
    public func shutdown(drain: Bool = false) async {
        isShutDown = true
        stopBatches()
        if !drain { handle(scheduler.cancelAll(now: now())) }
        if !calls.isEmpty {
            await withCheckedContinuation { drained.append($0) }
        }
        timer?.cancel()
        timer = nil
        watchdog?.cancel()
        watchdog = nil
        noticeContinuation.finish()
        calibrationContinuation.finish()
    }

    // MARK: Submitting

    /// The tokens the engine plans for a request: a chat's estimated prompt and its output limit
    /// (the configured default when it sets none) times `n`; an embedding's estimated inputs.
    public nonisolated func estimatedTokens(for request: APIRequest) -> Int {
        prompt(of: request).tokens.addingSaturating(outputTokens(of: request))
    }

    /// A request's prompt, read once: its estimated tokens, and its characters (which OpenAI's charge counts).
    private nonisolated func prompt(of request: APIRequest) -> (tokens: Int, characters: Int) {
        switch request.operation {
        case .chatCompletions, .messages:
            let messages = request.messages
            return (ChatTokenCount.count(messages, using: tokenizer), messages.reduce(0) { $0 + $1.content.count })
        case .embeddings:
            let texts = request.texts
            return (texts.reduce(0) { $0.addingSaturating(tokenizer.count($1)) }, texts.reduce(0) { $0 + $1.count })
        }
    }

    /// The output limit times `n`, clamped to the bounds of `Int`: both come from the client, and the
    /// scheduler refuses a job beyond its bounds with a clear error rather than trapping here.
    private nonisolated func outputTokens(of request: APIRequest) -> Int {
        guard request.operation != .embeddings else { return 0 }
        let (product, overflow) = (request.outputLimit ?? limits.defaultMaxTokens).multipliedReportingOverflow(by: max(1, request.choices))
        return overflow ? .max : product
    }

    /// Submits `request`; one that accepts batch is known by `batchKey` (``BatchDesk/key(_:tenant:body:)``), if it has one.
    private func submit(_ request: APIRequest, priority: Int, deadline: Duration?, batchKey: String? = nil) throws -> (JobID, [SchedulerAction]) {
        guard !isShutDown else { throw HeadroomError(.shutDown, "The engine has shut down; create a new one.") }
        var request = request
        if request.operation != .embeddings, request.outputLimit == nil {
            try request.set("max_tokens", to: .integer(limits.defaultMaxTokens))
        }
        let size = prompt(of: request)
        // Every request ends by its deadline: the caller's, within the configured longest (a batch's, for one that accepts batch).
        let batched = request.acceptsBatch && !request.isStreaming && !desk.deployments.isEmpty
        let deadline = instant(after: BatchRouting.timeLimit(deadline: deadline, acceptsBatch: batched, rules: desk.deployments.values.lazy.map(\.rules),
                                                             requestTimeout: limits.requestTimeout))
        let job = Job(models: request.model.map { [$0] } ?? [], promptTokens: size.tokens, maxOutputTokens: outputTokens(of: request),
                      promptCharacters: size.characters, priority: priority, tenant: request.tenant, deadline: deadline, acceptsBatch: batched)
        let (id, actions) = scheduler.submit(job, now: now())
        let batchKey = batched ? batchKey : nil
        calls[id] = Call(operation: request.operation, model: request.model ?? "", body: request.bytes,
                         estimate: Usage(promptTokens: job.promptTokens, completionTokens: 0), deadline: deadline, headers: request.headers,
                         submitted: now(), batchKey: batchKey)
        if let batchKey { desk.requests[batchKey] = id }
        return (id, actions)
    }

    private func cancel(_ id: JobID) {
        if calls[id]?.batch != nil, !leaveBatch(id) { return }
        handle(scheduler.cancel(id, now: now()))
    }

    // MARK: Actions

    /// Carries out `actions` in order. Carrying one out may produce more (an attempt whose request
    /// cannot be built completes at once): those wait their turn behind the rest, never run inside
    /// it, so a later wake-up is never overwritten by an earlier one.
    func handle(_ actions: [SchedulerAction]) {
        pending += actions
        guard !isHandling else { return }
        isHandling = true
        defer { isHandling = false }
        var next = 0
        while next < pending.count {
            let action = pending[next]
            next += 1
            switch action {
            case .dispatch(let id, let deployment, let attempt):
                start(id, on: deployment, attempt: attempt)
            case .finish(let id, let result, _):
                finish(id, result)
            case .scheduleWakeup(let at):
                arm(at)
            case .deploymentDisabled(_, let notice):
                noticeContinuation.yield(notice)
            }
        }
        pending.removeAll(keepingCapacity: true)
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
        if let key = call.batchKey { settleBatchCall(call, key: key, result) }
        switch result {
        case .succeeded:
            call.reply?.resume(with: call.answer.map { .success($0) } ?? .failure(HeadroomError(.brokenAnswer, "The answer was lost.")))
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
        let clock = self.clock
        timer = Task { [weak self] in
            try? await clock.sleep(until: .nanoseconds(at.nanoseconds))
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
        if let batch = desk.deployments[deployment] { return startBatch(id, on: deployment, attempt: attempt, batch) }
        guard let call = calls[id], let adapter = adapters[deployment] else { return }
        var request: HTTPRequestData
        do {
            request = try adapter.request(call.operation, body: call.body, model: call.model)
            // The caller's own fields go along, but never in place of the adapter's (its key above all).
            let setByAdapter = Set(request.headers.map { $0.name.lowercased() })
            request.headers += call.headers.filter { field in
                let name = field.name.lowercased()
                return !setByAdapter.contains(name) && !APIRequest.reservedHeaderNames.contains(name)
            }
        } catch {
            handle(scheduler.complete(id, outcome: .permanentFailure(message: error.message), rateLimits: nil, now: now()))
            return
        }
        let head = AnswerHead(deployment: deployment, attempt: attempt, queuedFor: beginAttempt(id, attempt), headers: [:])
        let caller = call.stream
        let transport = self.transport
        let timeout = limits.attemptTimeout
        let maxAnswerBytes = limits.maxAnswerBytes
        let estimate = call.estimate
        calls[id]?.attempt = Task { [weak self] in
            let outcome: ClassifiedResponse
            var body: [UInt8] = []
            var headers: [String: String] = [:]
            do {
                let response = try await transport.send(request, timeout: timeout)
                headers = response.headers
                let accepted = (200 ..< 300).contains(response.status)
                if let caller, accepted {
                    outcome = await Self.relay(response, head: head, to: caller, adapter: adapter, maxEventBytes: maxAnswerBytes, estimate: estimate) {
                        await self?.claimDelivery(id, attempt: attempt) ?? false
                    }
                } else {
                    do {
                        body = try await response.collect(upTo: maxAnswerBytes)
                        outcome = adapter.classify(status: response.status, headers: response.headers, body: body, receivedAt: Date(),
                                                   expectedUsage: Usage(promptTokens: 0, completionTokens: 0))
                    } catch let error where !(error is CancellationError) && accepted {
                        // The provider accepted the request (and may bill it): not sent again unless it says it failed.
                        outcome = ResponseClassifier.brokenAnswer("\(error)", rateLimits: adapter.rateLimits(in: response.headers, receivedAt: Date()))
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                outcome = ResponseClassifier.transportFailure("\(error)")
            }
            var answered = head
            answered.headers = headers
            await self?.ended(id, attempt: attempt, outcome: outcome, answer: (answered, body))
        }
        watch(call.deadline)
    }

    /// Notes attempt `attempt` of job `id` begun, and returns how long the job waited for its first.
    func beginAttempt(_ id: JobID, _ attempt: Int) -> Duration {
        calls[id]?.attemptNumber = attempt
        let queuedFor = calls[id]?.queuedFor ?? Duration.nanoseconds((now() - (calls[id]?.submitted ?? now())).nanoseconds)
        calls[id]?.queuedFor = queuedFor
        return queuedFor
    }

    /// Has the watchdog wake by `deadline`: one timer for every attempt under way, set for the
    /// earliest deadline (one task a request, sleeping, would cost more than the rest of its work).
    private func watch(_ deadline: Instant) {
        if let watchdogAt, watchdogAt <= deadline { return }
        watchdog?.cancel()
        watchdogAt = deadline
        let clock = self.clock
        watchdog = Task { [weak self] in
            guard (try? await clock.sleep(until: .nanoseconds(deadline.nanoseconds))) != nil else { return }
            await self?.watchdogWoke()
        }
    }

    /// Abandons every attempt whose request is past its deadline, and sets the watchdog for the next.
    private func watchdogWoke() {
        watchdogAt = nil
        let now = now()
        for (id, call) in calls where call.attempt != nil && call.deadline <= now { overran(id, attempt: call.attemptNumber) }
        if let next = calls.values.filter({ $0.attempt != nil }).map(\.deadline).min() { watch(next) }
    }

    /// The request's deadline came with attempt `attempt` still under way: it is abandoned, and the
    /// scheduler, told it failed, ends the request (past its deadline, nothing is retried).
    private func overran(_ id: JobID, attempt: Int) {
        guard let call = calls[id], call.attemptNumber == attempt, let task = call.attempt else { return }
        task.cancel()
        ended(id, attempt: attempt, outcome: ResponseClassifier.transportFailure("no complete answer by the request's deadline"))
    }

    /// Whether attempt `attempt` may hand its first event to the caller: it may while it is the
    /// request's current attempt, and from then on the request is not sent again.
    private func claimDelivery(_ id: JobID, attempt: Int) -> Bool {
        guard calls[id]?.attemptNumber == attempt else { return false }
        calls[id]?.delivered = true
        return true
    }

    /// Passes a stream's events to `caller` as they come, off the actor: each is checked to be a
    /// JSON object and scanned for usage, not parsed. The outcome is known at the stream's end.
    private nonisolated static func relay(
        _ response: HTTPResponseStream, head: AnswerHead, to caller: AsyncThrowingStream<APIStreamPart, any Error>.Continuation,
        adapter: any ProviderAdapter, maxEventBytes: Int, estimate: Usage, claim: () async -> Bool
    ) async -> ClassifiedResponse {
        let headers = adapter.rateLimits(in: response.headers, receivedAt: Date())
        var usage: Usage?
        var events = 0
        var ended = false
        do {
            var iterator = ServerSentEvents(response.body, maxEventBytes: maxEventBytes).makeAsyncIterator()
            while let event = try await iterator.next() {
                if try adapter.read(streamEvent: event, usage: &usage) { ended = true }
                // A superseded or abandoned attempt delivers nothing (the request has ended or moved on).
                if events == 0 {
                    guard await claim() else { return ResponseClassifier.transportFailure("superseded") }
                    var head = head
                    head.headers = response.headers
                    caller.yield(.head(head))
                }
                try Task.checkCancellation()
                caller.yield(.event(event))
                events += 1
            }
            // A stream that stops without its end (`[DONE]`, or the provider's last event) is broken, not complete
            // (one not in SSE at all has no events either).
            if !iterator.completed && !ended { throw StreamEndedEarly() }
        } catch is CancellationError {
            return ResponseClassifier.transportFailure("cancelled")
        } catch {
            // The provider accepted the request (and may bill it): not sent again, whether or not an event reached the caller.
            let problem = switch error as? JSONParser.Failure {
            case .tooDeep?: "an event nests deeper than \(JSONParser.deepestAllowed)"
            case .some: "an event is not a JSON object"
            case nil: "\(error)"
            }
            return ResponseClassifier.brokenAnswer("the stream broke after \(events) chunk(s): \(problem)", rateLimits: headers)
        }
        let used = usage ?? Usage(promptTokens: estimate.promptTokens, completionTokens: events)
        caller.yield(.usage(used))
        return ClassifiedResponse(responseClass: .success, message: "OK", code: nil, outcome: .succeeded(used), rateLimits: headers.observation)
    }

    func ended(_ id: JobID, attempt: Int, outcome: ClassifiedResponse, answer: (head: AnswerHead, body: [UInt8])? = nil) {
        guard let call = calls[id], call.attemptNumber == attempt, call.attempt != nil || call.batch != nil else { return }
        calls[id]?.attempt = nil
        calls[id]?.batch = nil
        if case .succeeded(let usage) = outcome.outcome, let answer { calls[id]?.answer = APIAnswer(head: answer.head, body: answer.body, usage: usage) }
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
        case .batchUnfinished(let message): .batchUnfinished(message: redaction.apply(message))
        }
    }

    // MARK: Time

    func now() -> Instant {
        Instant(nanoseconds: clock.now().nanoseconds)
    }

    private nonisolated func instant(after duration: Duration) -> Instant {
        Instant(nanoseconds: (clock.now() + duration).nanoseconds)
    }
}

/// A stream that stopped without `data: [DONE]`.
private struct StreamEndedEarly: Error, CustomStringConvertible {
    var description: String { "it ended without [DONE]" }
}
