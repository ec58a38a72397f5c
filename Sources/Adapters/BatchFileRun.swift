import Foundation
import HeadroomCore

/// One batch file's life at the provider, run off the engine's actor: upload, record, create, poll
/// with back-off (``HeadroomCore/BatchPolling``), cancel past the grace period, fetch the output and
/// error files, and report each request's answer by its custom id.
///
/// What has been paid for is never sent again: a request the batch left unfinished (it failed,
/// expired or was cancelled) is reported so, to go synchronously; a request the batch served whose
/// answer cannot be fetched is reported as a broken answer.
struct BatchFileRun: Sendable {
    /// What the run tells the engine, in order: submitted (once created), each answer, ended.
    enum Event: Sendable {
        case submitted(batchID: String)
        case answer(customID: String, ClassifiedResponse, body: [UInt8])
        case ended(BatchStatus?, turnaround: Duration?)
    }

    typealias Report = @Sendable (Event) async -> Void

    /// The engine's name for the file: unique, never reused.
    let name: String
    let deployment: DeploymentID
    let batch: BatchDeployment
    let adapter: any ProviderAdapter
    let transport: any HTTPTransport
    let clock: any EngineClock
    let journal: BatchJournal?
    /// The longest one call to the Batch API may take.
    let timeout: Duration
    let redaction: Redaction

    /// The most tries of one call that fails in a way a retry may fix.
    static let maxTries = 4

    /// Sends a new file of `lines` (their custom ids and journal entries alike in order) and sees it through.
    func send(lines: [[UInt8]], entries: [BatchJournal.Entry], endpoint: String, report: Report) async {
        let started = clock.now()
        let ids = entries.map(\.customID)
        var content: [UInt8] = []
        content.reserveCapacity(lines.reduce(lines.count) { $0 + $1.count })
        for line in lines {
            if !content.isEmpty { content.append(UInt8(ascii: "\n")) }
            content += line
        }
        let fileID: String
        do {
            let body = try await call(batch.api.upload(content, boundary: "headroom-\(name)"))
            guard let id = JSONValue.member("id", inObject: body)?.stringValue else { throw HeadroomError(.brokenAnswer, "the upload's answer names no file id") }
            fileID = try BatchAPI.checked(id)
        } catch {
            return await giveUp(ids, "its file could not be uploaded: \(describe(error))", report)
        }
        let record = BatchJournal.Batch(file: name, deployment: deployment.rawValue, endpoint: endpoint, inputFileID: fileID,
                                        uploadedAt: Date().timeIntervalSince1970, entries: entries)
        do {
            try journal?.uploaded(record)
        } catch {
            // A batch the journal cannot find after a restart could be paid for twice: none is created.
            return await giveUp(ids, "the batch journal could not record it: \(error.localizedDescription)", report)
        }
        let created: BatchObject
        do {
            created = try BatchObject(json: try await call(batch.api.create(inputFileID: fileID, endpoint: endpoint, metadata: ["headroom_file": name])))
        } catch {
            try? journal?.ended(name)
            return await giveUp(ids, "its batch could not be created: \(describe(error))", report)
        }
        try? journal?.submitted(name, batchID: created.id)
        await report(.submitted(batchID: created.id))
        await follow(created.id, submittedAt: started, ids: ids, report: report)
    }

    /// Picks up a batch the journal recorded before a restart: polls it if it was created (finding it
    /// by its input file if its creation went unrecorded); else reports its requests unfinished.
    func resume(_ record: BatchJournal.Batch, report: Report) async {
        let ids = record.entries.map(\.customID)
        let age = max(0, Date().timeIntervalSince1970 - record.uploadedAt)
        let submittedAt = clock.now() - .seconds(min(age, 30 * 86_400))
        var batchID = record.batchID
        if batchID == nil, let listed = try? BatchObject.list(json: try await call(batch.api.list())) {
            batchID = listed.first { $0.inputFileID == record.inputFileID }?.id
        }
        guard let batchID else {
            try? journal?.ended(name)
            return await giveUp(ids, "its batch was never created", report)
        }
        await report(.submitted(batchID: batchID))
        await follow(batchID, submittedAt: submittedAt, ids: ids, report: report)
    }

    /// Polls batch `batchID` to its end (cancelling it past the grace period) and reports its answers.
    private func follow(_ batchID: String, submittedAt: Duration, ids: [String], report: Report) async {
        let start = Instant(nanoseconds: submittedAt.nanoseconds)
        var polling = BatchPolling(submittedAt: start, rules: batch.rules)
        var cancelledAt: Instant?
        var final: BatchObject?
        while final == nil {
            // Cancelled (the engine is shutting down): the journal keeps the batch for the next start.
            guard (try? await clock.sleep(until: .nanoseconds(polling.nextPoll.nanoseconds))) != nil else { return }
            let now = Instant(nanoseconds: clock.now().nanoseconds)
            if let object = try? BatchObject(json: try await call(batch.api.retrieve(batchID))), object.status.isFinal {
                final = object
                break
            }
            if polling.isOverdue(at: now) {
                if let cancelledAt {
                    if now - cancelledAt >= batch.rules.cancelWait { break }
                } else {
                    cancelledAt = now
                    _ = try? await call(batch.api.cancel(batchID))
                }
            }
            polling.polled(at: now)
        }
        let turnaround = Duration.nanoseconds(clock.now().nanoseconds - start.nanoseconds)
        guard let final else {
            try? journal?.ended(name)
            await giveUp(ids, "its batch was cancelled past its grace period and did not wind down within \(batch.rules.cancelWait)", report)
            return await report(.ended(.cancelling, turnaround: turnaround))
        }
        await answer(ids, from: final, report: report)
        if final.status == .failed {
            try? journal?.ended(name)
        } else {
            // Its files hold the answers: a caller who comes back after a restart gets its answer from them.
            try? journal?.answered(name, outputFileID: final.outputFileID, errorFileID: final.errorFileID)
        }
        await report(.ended(final.status, turnaround: turnaround))
    }

    /// The answers of a batch answered before a restart, fetched again from its files, by custom id:
    /// each as the engine judges it, with its body. Requests it left unanswered are not among them.
    ///
    /// - Throws: ``HeadroomError`` when a file cannot be fetched (its answers may be there: come back later).
    func refetch(_ answered: BatchJournal.Answered) async throws(HeadroomError) -> [String: (ClassifiedResponse, [UInt8])] {
        let ids = answered.batch.entries.map(\.customID)
        let (lines, unread) = await fetchLines(ids, outputFileID: answered.outputFileID, errorFileID: answered.errorFileID)
        guard unread.isEmpty else {
            throw HeadroomError(.deploymentUnavailable, "The answers of batch deployment '\(deployment)' could not be fetched: \(unread.joined(separator: "; "))")
        }
        return lines.mapValues { ($0.outcome(by: adapter), $0.body) }
    }

    /// The result lines for `ids` in the output and error files, and why any file could not be read.
    private func fetchLines(_ ids: [String], outputFileID: String?, errorFileID: String?) async -> (lines: [String: BatchResultLine], unread: [String]) {
        let wanted = Set(ids)
        var lines: [String: BatchResultLine] = [:]
        var unread: [String] = []
        // The output file first: an answer there wins over an error line for the same id.
        for file in [outputFileID, errorFileID].compactMap({ $0 }) {
            do {
                let bytes = try await call(batch.api.content(ofFile: try BatchAPI.checked(file)), limit: 2 * batch.rules.maxBytes + (16 << 20))
                for line in BatchResultLine.lines(in: bytes, limit: 2 * ids.count) where wanted.contains(line.customID) && lines[line.customID] == nil {
                    lines[line.customID] = line
                }
            } catch {
                unread.append(describe(error))
            }
        }
        return (lines, unread)
    }

    /// Reports each request's answer from the output and error files of `batch`, which has ended.
    private func answer(_ ids: [String], from object: BatchObject, report: Report) async {
        if object.status == .failed {
            return await giveUp(ids, "its batch failed\(object.problem.map { " (\(redaction.apply($0)))" } ?? "")", report)
        }
        let (lines, unread) = await fetchLines(ids, outputFileID: object.outputFileID, errorFileID: object.errorFileID)
        for id in ids {
            if let line = lines[id] {
                let outcome = line.outcome(by: adapter)
                await report(.answer(customID: id, outcome, body: line.body))
            } else if unread.isEmpty {
                await report(.answer(customID: id, BatchResultLine.unfinished("its batch ended \(object.status.rawValue) with no answer for it"), body: []))
            } else {
                // It may have been served and billed: not sent again.
                let message = "its batch ended \(object.status.rawValue), but its answers could not be fetched: \(unread.joined(separator: "; "))"
                await report(.answer(customID: id, ClassifiedResponse(responseClass: .brokenAnswer, message: message, code: nil,
                                                                      outcome: .brokenAnswer(message: message), rateLimits: nil), body: []))
            }
        }
    }

    private func giveUp(_ ids: [String], _ reason: String, _ report: Report) async {
        for id in ids { await report(.answer(customID: id, BatchResultLine.unfinished(reason), body: [])) }
    }

    /// One call to the Batch API: its body when it answers 2xx; tried again, with back-off, when it
    /// throttles, fails with a 5xx or does not answer.
    private func call(_ request: HTTPRequestData, limit: Int = 16 << 20) async throws -> [UInt8] {
        var wait = Duration.milliseconds(250)
        for attempt in 1 ... Self.maxTries {
            do {
                let response = try await transport.send(request, timeout: timeout)
                let body = try await response.collect(upTo: limit)
                if (200 ..< 300).contains(response.status) { return body }
                let judged = adapter.classify(status: response.status, headers: response.headers, body: body, receivedAt: .now,
                                              expectedUsage: Usage(promptTokens: 0, completionTokens: 0))
                let error = HeadroomError(.rejectedByProvider, "\(response.status): \(redaction.apply(judged.message))")
                let retryable = switch judged.outcome {
                case .throttled, .transientFailure: true
                default: false
                }
                guard retryable && attempt < Self.maxTries else { throw error }
            } catch let error as HeadroomError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch where attempt == Self.maxTries {
                throw error
            } catch {
                // A transport failure: tried again.
            }
            try await clock.sleep(until: clock.now() + wait)
            wait = min(wait * 4, batch.rules.pollInterval)
        }
        throw HeadroomError(.rejectedByProvider, "the Batch API did not answer")
    }

    private func describe(_ error: any Error) -> String {
        redaction.apply((error as? HeadroomError)?.message ?? "\(error)")
    }
}
