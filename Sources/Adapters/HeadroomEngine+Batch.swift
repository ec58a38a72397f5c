import HeadroomCore

/// Batch deployments: a request that accepts batch (``APIRequest/acceptsBatch``) and is dispatched
/// to one goes into a forming file instead of upstream; the file goes by ``HeadroomCore/BatchFormer``'s
/// rules, a ``BatchFileRun`` sees its batch through, and each answer completes its job as a
/// synchronous answer would. A caller who hangs up once the file has gone does not take its request
/// out (it is paid for): the answer is kept under its request id for when it comes back, as it is
/// for any caller who comes back with the id.
extension HeadroomEngine {
    /// What the batch deployments have done so far.
    public func batchStatistics() -> BatchStatistics {
        desk.statistics
    }

    /// Picks up the batches the journal recorded as under way when the engine last stopped: polls
    /// them again, and keeps their answers for callers who come back with the same request id (and tenant).
    /// Call it once, after creating the engine; later calls do nothing.
    public func resumeBatches() {
        guard let journal = desk.journal, !desk.resumed else { return }
        desk.resumed = true
        for record in journal.open {
            let deployment = DeploymentID(record.deployment)
            guard let batch = desk.deployments[deployment], let adapter = adapters[deployment] else { continue }
            for entry in record.entries {
                let tokens = min(max(0, entry.tokens ?? 0), Deployment.largestQuota)
                desk.recovered[entry.customID] = BatchDesk.Recovered(key: entry.requestID ?? "", deployment: deployment, tokens: tokens)
                desk.recoveredTokens[deployment, default: 0] = min(desk.recoveredTokens[deployment, default: 0] + tokens, Deployment.largestQuota)
                if let requestID = entry.requestID { desk.pendingRecovered.insert(requestID) }
            }
            // The provider still counts them against the quota: so does the scheduler, until they end.
            handle(scheduler.enqueuedElsewhere(desk.recoveredTokens[deployment] ?? 0, on: deployment, now: now()))
            desk.tally.count { $0.resumed += 1 }
            let run = makeRun(record.file, deployment, batch, adapter)
            let report = reporter(deployment)
            desk.runs[record.file] = Task { [weak self] in
                await run.resume(record, report: report)
                await self?.runEnded(record.file)
            }
        }
        for done in journal.answered where desk.deployments[DeploymentID(done.batch.deployment)] != nil {
            desk.answeredBatches[done.batch.file] = done
            for entry in done.batch.entries { if let key = entry.requestID { desk.answeredKeys[key] = done.batch.file } }
        }
    }

    /// The answer for a caller of the request known by `key`: kept, or awaited from the job or
    /// recovered batch that has it; `nil` when there is none and the request is to be sent anew.
    /// A caller who comes while another waits for the same request waits too: both get its answer.
    func batchAnswer(for key: String) async throws -> APIAnswer? {
        while true {
            if let kept = desk.mailbox.take(key, now: now()) { return try kept.get() }
            let job = desk.requests[key].flatMap { calls[$0] != nil ? $0 : nil }
            if let id = job, calls[id]?.reply == nil {
                // Its caller hung up once the request had gone in a batch: this one takes its place.
                return try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { (reply: CheckedContinuation<APIAnswer, any Error>) in
                        calls[id]?.reply = reply
                    }
                } onCancel: {
                    Task { await self.cancelBatchWaiter(id) }
                }
            }
            if job == nil && !desk.pendingRecovered.contains(key) {
                // Answered by a batch before a restart: its answers are fetched again, then looked up above.
                guard let file = desk.answeredKeys[key] else { return nil }
                try await refetch(file)
                continue
            }
            // `nil`: the request was not served; look again (another caller may have sent it anew meanwhile).
            if let result = try await waitForAnswer(key) { return try result.get() }
        }
    }

    /// Fetches again the answers of batch `file`, answered before a restart, and keeps them for their
    /// callers' keys; one fetch for all the callers who ask meanwhile.
    ///
    /// - Throws: ``HeadroomError`` when its files cannot be fetched now (a later caller tries again).
    private func refetch(_ file: String) async throws(HeadroomError) {
        if desk.refetches[file] == nil, let done = desk.answeredBatches[file] {
            let deployment = DeploymentID(done.batch.deployment)
            guard let batch = desk.deployments[deployment], let adapter = adapters[deployment] else { return forget(file) }
            let run = makeRun(file, deployment, batch, adapter)
            desk.refetches[file] = Task { [weak self] in
                do throws(HeadroomError) {
                    let answers = try await run.refetch(done)
                    await self?.refetched(file, answers)
                    return nil
                } catch {
                    await self?.refetchFailed(file)
                    return error
                }
            }
        }
        if let error = await desk.refetches[file]?.value { throw error }
    }

    /// The answers of batch `file`, fetched again: kept for their callers' keys.
    private func refetched(_ file: String, _ answers: [String: (ClassifiedResponse, [UInt8])]) {
        guard let done = desk.answeredBatches[file] else { return }
        let deployment = DeploymentID(done.batch.deployment)
        for entry in done.batch.entries {
            guard let key = entry.requestID, let (outcome, body) = answers[entry.customID] else { continue }
            keep(Self.answer(outcome, body, from: deployment), for: key, taken: false)
        }
        forget(file)
    }

    private func refetchFailed(_ file: String) {
        desk.refetches[file] = nil
    }

    /// Forgets batch `file`, answered before a restart, and its callers' keys.
    private func forget(_ file: String) {
        desk.refetches[file] = nil
        guard let done = desk.answeredBatches.removeValue(forKey: file) else { return }
        for entry in done.batch.entries { if let key = entry.requestID { desk.answeredKeys[key] = nil } }
    }

    /// Waits for the answer to the request known by `key`, which another caller or a recovered batch has.
    private func waitForAnswer(_ key: String) async throws -> Result<APIAnswer, HeadroomError>? {
        let ticket = desk.waiters.ticket()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { desk.waiters.add($0, for: key, ticket: ticket) }
        } onCancel: {
            Task { await self.stopWaiting(key, ticket: ticket) }
        }
    }

    private func stopWaiting(_ key: String, ticket: UInt64) {
        desk.waiters.leave(key, ticket: ticket)?.resume(throwing: CancellationError())
    }

    /// Puts job `id`'s request in its batch deployment's forming file.
    func startBatch(_ id: JobID, on deployment: DeploymentID, attempt: Int, _ batch: BatchDeployment) {
        guard let call = calls[id] else { return }
        if desk.stopped {
            _ = beginAttempt(id, attempt)
            calls[id]?.batch = .forming
            return unfinished(id, attempt: attempt, "the gateway is stopping its batches")
        }
        let customID = desk.customID()
        let line: [UInt8]
        do {
            line = try batch.api.line(customID: customID, operation: call.operation, body: call.body, model: call.model)
        } catch {
            handle(scheduler.complete(id, outcome: .permanentFailure(message: error.message), rateLimits: nil, now: now()))
            return
        }
        _ = beginAttempt(id, attempt)
        calls[id]?.batch = .forming
        let item = BatchDesk.Item(job: id, attempt: attempt, customID: customID, key: call.batchKey, operation: call.operation,
                                  model: call.model, line: line, tokens: call.estimate.promptTokens)
        let key = BatchFormer<BatchDesk.Item>.Key(deployment: deployment, endpoint: batch.api.endpoint(for: call.operation))
        for file in desk.former.add(item, bytes: line.count + 1, to: key, rules: batch.rules, now: now()) { launch(file) }
        armBatchTimer()
    }

    /// A caller of job `id`, in a forming file or a batch, hung up; returns whether to cancel the job.
    func leaveBatch(_ id: JobID) -> Bool {
        switch calls[id]?.batch {
        case .forming?:
            // Not paid for yet: it leaves its file.
            _ = desk.former.remove(where: { $0.job == id }, bytes: { $0.line.count + 1 })
            armBatchTimer()
            return true
        case .submitted?:
            // Paid for: the batch goes on, and the answer is kept for the caller's return (under its request id).
            calls[id]?.reply?.resume(throwing: CancellationError())
            calls[id]?.reply = nil
            return false
        case nil:
            return true
        }
    }

    /// A caller who came back for job `id` hung up again.
    private func cancelBatchWaiter(_ id: JobID) {
        if leaveBatch(id) { handle(scheduler.cancel(id, now: now())) }
    }

    /// Job `call` of the request known by `key` ended: its answer is kept for every caller who comes
    /// back with the key, whoever took it (a caller whose connection died unnoticed took it and lost it),
    /// and handed to the callers waiting for it.
    func settleBatchCall(_ call: Call, key: String, _ result: JobResult) {
        desk.requests[key] = nil
        let answer: Result<APIAnswer, HeadroomError>? = switch result {
        case .succeeded: call.answer.map { .success($0) }
        case .failed(let error): .failure(error)
        case .cancelled: nil
        }
        keep(answer, for: key, taken: call.reply != nil)
        desk.waiters.hand(answer, to: key)
    }

    /// Keeps `answer` for callers who come back with `key`: an answer, or the provider's verdict on the
    /// request (sent again, it would be paid again); not a failure of this engine's circumstances (a
    /// deadline, the queue, a shutdown), which a caller who comes back sends anew.
    private func keep(_ answer: Result<APIAnswer, HeadroomError>?, for key: String, taken: Bool) {
        let kept = switch answer {
        case .success?: true
        case .failure(let error)?: error.kind == .rejectedByProvider || error.kind == .brokenAnswer
        case nil: false
        }
        if kept, let answer { desk.mailbox.keep(answer, for: key, taken: taken, now: now()) }
    }

    /// Stops the batch deployments' work, as at the start of a graceful shutdown (``shutdown(drain:)``
    /// does it too): forming files are not sent (their requests go synchronously), callers of batches
    /// under way are told to come back with their request ids after the restart, and the runs stop
    /// (the journal keeps their batches). Requests that accept batch from then on go synchronously.
    public func stopBatches() {
        desk.stopped = true
        desk.timer?.cancel()
        desk.timer = nil
        desk.timerAt = nil
        let forming = desk.former.flushAll().flatMap(\.items)
        let back = HeadroomError(.shutDown, "The gateway is restarting while the request's batch runs; send it again with the same request id to get its answer.")
        for (id, call) in calls where call.batch == .submitted {
            call.reply?.resume(throwing: back)
            calls[id] = nil
        }
        desk.waiters.tellAll(back)
        for run in desk.runs.values { run.cancel() }
        desk.runs = [:]
        for item in forming { unfinished(item.job, attempt: item.attempt, "the gateway is stopping its batches") }
    }

    /// Ends attempt `attempt` of job `id` as one a batch did not serve: it goes again synchronously.
    private func unfinished(_ id: JobID, attempt: Int, _ reason: String) {
        ended(id, attempt: attempt, outcome: BatchResultLine.unfinished(reason))
    }

    // MARK: Files and runs

    private func launch(_ file: BatchFormer<BatchDesk.Item>.File) {
        let deployment = file.key.deployment
        guard let batch = desk.deployments[deployment], let adapter = adapters[deployment] else { return }
        desk.tally.formed(requests: file.items.count)
        let name = desk.fileName()
        for item in file.items {
            desk.sent[item.customID] = item
            calls[item.job]?.batch = .submitted
        }
        let entries = file.items.map {
            BatchJournal.Entry(customID: $0.customID, requestID: $0.key, operation: $0.operation.rawValue, model: $0.model, tokens: $0.tokens)
        }
        let lines = file.items.map(\.line)
        let run = makeRun(name, deployment, batch, adapter)
        let report = reporter(deployment)
        desk.runs[name] = Task { [weak self] in
            await run.send(lines: lines, entries: entries, endpoint: file.key.endpoint, report: report)
            await self?.runEnded(name)
        }
    }

    /// How a run for `deployment` tells the engine what happened.
    private func reporter(_ deployment: DeploymentID) -> BatchFileRun.Report {
        { [weak self] event in await self?.batchEvent(event, deployment: deployment) }
    }

    private func makeRun(_ name: String, _ deployment: DeploymentID, _ batch: BatchDeployment, _ adapter: any ProviderAdapter) -> BatchFileRun {
        BatchFileRun(name: name, deployment: deployment, batch: batch, adapter: adapter, transport: transport, clock: clock, journal: desk.journal,
                     timeout: limits.attemptTimeout, redaction: redaction)
    }

    private func runEnded(_ name: String) {
        desk.runs[name] = nil
    }

    private func batchEvent(_ event: BatchFileRun.Event, deployment: DeploymentID) {
        switch event {
        case .submitted:
            desk.tally.count { $0.submitted += 1 }
        case .ended(let status, let turnaround):
            desk.tally.ended(status, after: turnaround.map { Double($0.nanoseconds) / 1e9 })
        case .answer(let customID, let outcome, let body):
            if let item = desk.sent.removeValue(forKey: customID) {
                if case .batchUnfinished = outcome.outcome { desk.tally.count { $0.resent += 1 } } else { desk.tally.count { $0.answered += 1 } }
                let head = AnswerHead(deployment: deployment, attempt: item.attempt, queuedFor: calls[item.job]?.queuedFor ?? .zero, headers: [:])
                ended(item.job, attempt: item.attempt, outcome: outcome, answer: (head, body))
            } else if let recovered = desk.recovered.removeValue(forKey: customID) {
                desk.recoveredTokens[recovered.deployment, default: 0] -= recovered.tokens
                handle(scheduler.enqueuedElsewhere(desk.recoveredTokens[recovered.deployment] ?? 0, on: recovered.deployment, now: now()))
                self.recovered(recovered.key, outcome, body, deployment)
            }
        }
    }

    /// The answer to a request of a batch picked up after a restart: kept, and handed to the callers
    /// waiting for it. A request the batch left unfinished was never paid for: its callers send it anew.
    private func recovered(_ key: String, _ outcome: ClassifiedResponse, _ body: [UInt8], _ deployment: DeploymentID) {
        guard !key.isEmpty else { return }
        desk.pendingRecovered.remove(key)
        if case .succeeded = outcome.outcome { desk.tally.count { $0.answered += 1 } }
        let result = Self.answer(outcome, body, from: deployment)
        keep(result, for: key, taken: desk.waiters.isWaiting(for: key))
        desk.waiters.hand(result, to: key)
    }

    /// A caller's answer from a batch's line, judged as `outcome`: `nil` for a request the batch left
    /// unfinished (never paid for: it is sent anew).
    private static func answer(_ outcome: ClassifiedResponse, _ body: [UInt8], from deployment: DeploymentID) -> Result<APIAnswer, HeadroomError>? {
        switch outcome.outcome {
        case .succeeded(let usage):
            .success(APIAnswer(head: AnswerHead(deployment: deployment, attempt: 1, queuedFor: .zero, headers: [:]), body: body, usage: usage))
        case .batchUnfinished:
            nil
        default:
            .failure(HeadroomError(.rejectedByProvider, "Batch deployment '\(deployment)' did not serve the request: \(outcome.message)"))
        }
    }

    /// Wakes at the earliest instant a forming file's age is up: it goes then, however steady the traffic.
    private func armBatchTimer() {
        let due = desk.former.nextDue
        guard due != desk.timerAt else { return }
        desk.timer?.cancel()
        desk.timerAt = due
        guard let due else {
            desk.timer = nil
            return
        }
        let clock = self.clock
        desk.timer = Task { [weak self] in
            guard (try? await clock.sleep(until: .nanoseconds(due.nanoseconds))) != nil else { return }
            await self?.batchTimerFired()
        }
    }

    private func batchTimerFired() {
        desk.timerAt = nil
        for file in desk.former.due(at: now()) { launch(file) }
        armBatchTimer()
    }
}
