import Foundation
import HeadroomAdapters
import HeadroomConfiguration
import HeadroomCore
import HeadroomGateway
import HeadroomMockServer
import HeadroomServerSupport
import HeadroomSimulator
import Testing

/// The Batch API dialects a batch deployment can speak.
enum BatchDialect: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case openAI, azure, azureDated
    var testDescription: String { rawValue }
}

/// A mock batch deployment "batch" serving gpt-4o, finishing batches in about `turnaround` seconds.
func batchMock(turnaround: Double = 0.5, failureRate: Double = 0, expiryRate: Double = 0, maxEnqueuedTokens: Int = 10_000_000) -> SimulatedDeployment {
    var deployment = SimulatedDeployment(id: "batch", models: ["gpt-4o"], endpoint: .openAI(requestsPerMinute: 1_000, tokensPerMinute: 1_000_000))
    deployment.batch = .init(model: BatchEndpointModel(maxEnqueuedTokens: maxEnqueuedTokens,
                                                       turnaround: TurnaroundModel(medianSeconds: turnaround, p99Seconds: turnaround * 1.5),
                                                       failureRate: failureRate, expiryRate: expiryRate, cancelTime: .milliseconds(100)))
    return deployment
}

/// The gateway's view of the mock: "east", synchronous, and "batch" in `dialect`, whose files go after `maxAge`
/// seconds and whose batches are polled every 0.1 s, with a grace period of `grace` seconds; the journal at `journal`.
func batchConfiguration(_ dialect: BatchDialect, journal: String, maxAge: Double = 0.2, grace: Double = 30,
                        maxRequests: Int? = nil) -> (inout GatewayConfiguration) -> Void {
    { configuration in
        let mockURL = configuration.engine.deployments[0].endpoint ?? ""
        var batch: DeploymentSettings
        switch dialect {
        case .openAI:
            batch = DeploymentSettings(id: "batch", provider: "openai", tokensPerMinute: Deployment.largestQuota, models: ["gpt-4o"],
                                       baseURL: "\(mockURL)/batch/v1", apiKeyEnvironment: "MOCK_KEY")
        case .azure, .azureDated:
            batch = DeploymentSettings(id: "batch", provider: "azure", tokensPerMinute: Deployment.largestQuota, models: ["gpt-4o"],
                                       endpoint: mockURL, apiKeyEnvironment: "MOCK_KEY", deploymentNames: ["gpt-4o": "batch"])
        }
        batch.kind = .batch
        batch.maxEnqueuedTokens = 10_000_000
        var settings = BatchSettings(maxAgeSeconds: maxAge, pollSeconds: 0.1, graceSeconds: grace)
        settings.maxPollSeconds = 0.2
        settings.cancelWaitSeconds = 2
        settings.maxRequests = maxRequests
        if dialect == .azureDated { settings.azureRoute = "dated" }
        batch.batch = settings
        configuration.engine.deployments = [configuration.engine.deployments[0], batch]
        var engine = EngineSettings()
        engine.batchJournal = journal
        configuration.engine.engine = engine
        configuration.engine.prices = [PriceSettings(model: "gpt-4o", inputPerMillion: 2.5, outputPerMillion: 10)]
    }
}

/// A journal path of its own for one test.
func journalPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("headroom-batches-\(UUID().uuidString).jsonl").path
}

/// A chat request that asks for `tokens` output tokens of the mock.
func chat(_ tokens: Int, model: String = "gpt-4o") -> String {
    #"{"model":"\#(model)","messages":[{"role":"user","content":"Request \#(tokens)"}],"max_tokens":100,"mock_output_tokens":\#(tokens)}"#
}

/// What a test reads of an answer (an ``Exchange`` holds JSON of any type, which cannot cross tasks).
struct BatchAnswer: Sendable {
    let status: Int
    /// Whether a batch deployment answered (`x-headroom-batch: true`).
    let batched: Bool
    let completionTokens: Int?
    let model: String?
    let embeddings: Int?
    let errorCode: String?
    /// The answer's own id (the mock's `id`).
    let id: String?
}

/// Sends a request and reads what a batch test checks.
func ask(_ url: String, headers: [String: String], body: String) async throws -> BatchAnswer {
    let answer = try await exchange(url, headers: headers, body: body)
    return BatchAnswer(status: answer.status, batched: answer.headers["x-headroom-batch"] == "true",
                       completionTokens: answer.value("usage", "completion_tokens") as? Int, model: answer.value("model") as? String,
                       embeddings: (answer.value("data") as? [Any])?.count, errorCode: answer.value("error", "code") as? String,
                       id: answer.value("id") as? String)
}

/// The gateway's statistics once every batch it submitted has been counted as ended: a run reports
/// its batch's end after answering the callers, so a test that has all its answers may be a moment early.
func statsOnceBatchesEnd(_ gateway: Gateway) async throws -> GatewayStats {
    while true {
        let stats = await gateway.stats()
        if let batch = stats.batch, batch.completed + batch.failed + batch.expired + batch.cancelled == batch.submitted { return stats }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// A gateway over the mock on `mockPort`: "east", synchronous, and "batch" (``batchConfiguration(_:journal:maxAge:grace:maxRequests:)``).
func batchGateway(mockPort: Int, journal: String, maxAge: Double, maxRequests: Int) throws -> Gateway {
    var configuration = GatewayConfiguration(
        engine: HeadroomConfiguration(deployments: [DeploymentSettings(id: "east", provider: "azure", tokensPerMinute: 100_000, models: ["gpt-4o"],
                                                                       endpoint: "http://127.0.0.1:\(mockPort)", apiKeyEnvironment: "MOCK_KEY")]),
        port: 0, clients: [.init(name: "test", key: Servers.key)])
    batchConfiguration(.openAI, journal: journal, maxAge: maxAge, maxRequests: maxRequests)(&configuration)
    return try Gateway(configuration: configuration, environment: ["MOCK_KEY": "mock-key"], logger: quietLogger)
}

/// Runs `body` with the mock and a gateway over "east" and "batch" (OpenAI's dialect, batches of about `turnaround`
/// seconds, files going after 0.1 s), configured further by `configure`, and the gateway's chat completions URL.
func withBatchServers(turnaround: Double, configure: (inout GatewayConfiguration) -> Void = { _ in },
                      _ body: (Servers, String) async throws -> Void) async throws {
    let batch = batchConfiguration(.openAI, journal: journalPath(), maxAge: 0.1)
    try await Servers.with([azure("east"), batchMock(turnaround: turnaround)], configure: {
        batch(&$0)
        configure(&$0)
    }) { servers in
        try await body(servers, "\(servers.gatewayURL)/v1/chat/completions")
    }
}

/// Returns once `gateway` has submitted a batch: its callers' requests are paid for from then on.
func untilABatchIsSubmitted(_ gateway: Gateway) async throws {
    while await gateway.stats().batch?.submitted ?? 0 < 1 { try await Task.sleep(for: .milliseconds(20)) }
}

@Suite("Batch deployments through the gateway", .timeLimit(.minutes(3)))
struct BatchTests {
    let headers = ["Authorization": "Bearer \(Servers.key)"]

    /// The header fields of a request that asks for batch under idempotency key `key`.
    func keyed(_ key: String) -> [String: String] {
        headers.merging(["idempotency-key": key, "x-headroom-batch": "true"]) { $1 }
    }

    @Test("Requests that ask for batch are answered from batch output, each caller its own answer", arguments: BatchDialect.allCases)
    func answersFromBatch(dialect: BatchDialect) async throws {
        try await Servers.with([azure("east"), batchMock()], configure: batchConfiguration(dialect, journal: journalPath())) { servers in
            let url = servers.gatewayURL
            let answers = try await withThrowingTaskGroup(of: (Int, BatchAnswer).self) { group in
                for i in 1 ... 30 {
                    // Half ask by header, half by the model's @batch alias.
                    let body = i % 2 == 0 ? chat(i) : chat(i, model: "gpt-4o@batch")
                    let fields = i % 2 == 0 ? headers.merging(["x-headroom-batch": "true"]) { $1 } : headers
                    group.addTask { (i, try await ask("\(url)/v1/chat/completions", headers: fields, body: body)) }
                }
                for i in 31 ... 40 {
                    group.addTask {
                        (i, try await ask("\(url)/v1/embeddings", headers: headers, body: #"{"model":"gpt-4o@batch","input":["text \#(i)","more"]}"#))
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for i in 1 ... 30 {
                let answer = try #require(answers[i])
                #expect(answer.status == 200 && answer.batched)
                #expect(answer.completionTokens == i)
                #expect(answer.model == (dialect == .openAI ? "gpt-4o" : "batch"))
            }
            for i in 31 ... 40 {
                let answer = try #require(answers[i])
                #expect(answer.status == 200 && answer.embeddings == 2)
            }
            let stats = try await statsOnceBatchesEnd(servers.gateway)
            let batch = try #require(stats.batch)
            #expect(batch.answered == 40 && batch.resent == 0 && batch.failed == 0)
            #expect(batch.submitted == batch.completed && batch.submitted >= 2)
            #expect(stats.deployments[0].dispatched == 0)
            // Priced at half: 40 requests, all batched, the saving equal to the cost.
            let cost = try #require(stats.cost)
            #expect(cost.total.requests == 40 && cost.total.batched == 40)
            #expect(abs(cost.total.batchSaving - cost.total.cost) < 1e-12 && cost.total.cost > 0)
            let mock = await servers.mock.batches.counts()
            #expect(mock.requests == 40 && mock.answered == 40)
            let metrics = try await exchange("\(url)/metrics", method: "GET").text
            #expect(metrics.contains(#"headroom_batch_requests_total{outcome="answered"} 40"#))
            #expect(metrics.contains(#"headroom_deployment_enqueued_tokens{deployment="batch"} 0"#))
            #expect(metrics.contains(#"headroom_client_batch_saving{client="test"}"#))
        }
    }

    @Test("A batch that fails is resent synchronously, and every caller is answered once")
    func failedBatchIsResent() async throws {
        try await Servers.with([azure("east"), batchMock(failureRate: 1)], configure: batchConfiguration(.openAI, journal: journalPath())) { servers in
            let url = servers.gatewayURL
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 1 ... 12 {
                    group.addTask { try await exchange("\(url)/v1/chat/completions", headers: headers, body: chat(i, model: "gpt-4o@batch")).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 12))
            let stats = try await statsOnceBatchesEnd(servers.gateway)
            #expect(stats.batch?.failed == stats.batch?.submitted && stats.batch?.resent == 12 && stats.batch?.answered == 0)
            #expect(stats.deployments[0].succeeded == 12)
        }
    }

    @Test("An expired batch: what it served is answered from it, the rest synchronously")
    func expiredBatchResendsTheRest() async throws {
        try await Servers.with([azure("east"), batchMock(expiryRate: 1)], configure: batchConfiguration(.azure, journal: journalPath(), maxAge: 0.3)) {
            servers in
            let url = servers.gatewayURL
            let answers = try await withThrowingTaskGroup(of: BatchAnswer.self) { group in
                for i in 1 ... 40 {
                    group.addTask { try await ask("\(url)/v1/chat/completions", headers: headers, body: chat(i, model: "gpt-4o@batch")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.status == 200 })
            let batched = answers.filter(\.batched).count
            let stats = try await statsOnceBatchesEnd(servers.gateway)
            let mock = await servers.mock.batches.counts()
            #expect(stats.batch?.expired == stats.batch?.submitted)
            #expect(batched == mock.answered && stats.batch?.answered == batched)
            #expect(stats.batch?.resent == 40 - batched && stats.deployments[0].succeeded == 40 - batched)
        }
    }

    @Test("A batch not done within its grace period is cancelled, and what it had not served goes synchronously")
    func graceCancelsAndResends() async throws {
        try await Servers.with([azure("east"), batchMock(turnaround: 60)], configure: batchConfiguration(.openAI, journal: journalPath(), maxAge: 5, grace: 0.5, maxRequests: 5)) {
            servers in
            let url = servers.gatewayURL
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 1 ... 5 {
                    group.addTask { try await exchange("\(url)/v1/chat/completions", headers: headers, body: chat(i, model: "gpt-4o@batch")).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 5))
            let stats = await servers.gateway.stats()
            #expect(stats.batch?.cancelled == 1 && stats.batch?.resent == 5)
            #expect(await servers.mock.batches.counts().cancelRequests == 1)
        }
    }

    @Test("Files go by their age under a steady trickle, never held back by the next arrival")
    func ageFlushUnderSteadyLoad() async throws {
        try await Servers.with([azure("east"), batchMock(turnaround: 0.1)], configure: batchConfiguration(.openAI, journal: journalPath(), maxAge: 0.3)) {
            servers in
            let url = servers.gatewayURL
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 1 ... 20 {
                    group.addTask { _ = try await exchange("\(url)/v1/chat/completions", headers: headers, body: chat(i, model: "gpt-4o@batch")) }
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await group.waitForAll()
            }
            let batch = try #require(await servers.gateway.stats().batch)
            // Two seconds of arrivals every 0.1 s (longer on a busy machine), files at most 0.3 s old: several files, none of them all.
            #expect(batch.formed >= 3 && batch.answered == 20)
            #expect(batch.largestRequests < 20)
        }
    }

    @Test("A caller who hangs up leaves the others be, and coming back with its idempotency key gets its answer, paid once")
    func hangUpAndComeBack() async throws {
        try await withBatchServers(turnaround: 1) { servers, url in
            let leaving = Task { try await ask(url, headers: keyed("leaves"), body: chat(7)) }
            let staying = Task { try await ask(url, headers: keyed("stays"), body: chat(8)) }
            // Once the file has gone, the first caller hangs up.
            try await untilABatchIsSubmitted(servers.gateway)
            leaving.cancel()
            _ = try? await leaving.value
            let stayed = try await staying.value
            #expect(stayed.status == 200 && stayed.completionTokens == 8)
            let back = try await ask(url, headers: keyed("leaves"), body: chat(7))
            #expect(back.status == 200 && back.completionTokens == 7)
            #expect(await servers.mock.batches.counts().requests == 2)
        }
    }

    @Test("A second caller with the idempotency key of a request under way waits for it: both get its answer, submitted once")
    func concurrentKeyWaits() async throws {
        try await withBatchServers(turnaround: 1) { servers, url in
            let first = Task { try await ask(url, headers: keyed("same"), body: chat(3)) }
            try await untilABatchIsSubmitted(servers.gateway)
            let second = try await ask(url, headers: keyed("same"), body: chat(3))
            let answered = try await first.value
            #expect(answered.status == 200 && answered.completionTokens == 3 && answered.batched)
            #expect(second.status == 200 && second.id == answered.id && second.id != nil)
            #expect(await servers.mock.batches.counts().requests == 1)
        }
    }

    @Test("A second caller who hangs up while it waits on a key leaves at once, and the first is answered")
    func waitingCallerHangsUp() async throws {
        try await withBatchServers(turnaround: 3) { servers, url in
            let first = Task { try await ask(url, headers: keyed("kept"), body: chat(2)) }
            try await untilABatchIsSubmitted(servers.gateway)
            let second = Task { try await ask(url, headers: keyed("kept"), body: chat(2)) }
            #expect(await waitFor { await servers.gateway.stats().requests.inProgress == 2 })
            second.cancel()
            _ = try? await second.value
            // Its request ends as cancelled while the batch is still under way.
            #expect(await waitFor { await servers.gateway.stats().requests.cancelled == 1 })
            #expect(await servers.gateway.stats().batch?.answered == 0)
            let answered = try await first.value
            #expect(answered.status == 200 && answered.completionTokens == 2)
            #expect(await servers.mock.batches.counts().requests == 1)
        }
    }

    // A client whose connection broke after the answer left (the server did not notice in time) retries under its
    // key: from the server's side, its first caller took the answer. It must get the same answer, not pay again.
    @Test("A caller who comes back with its key after its answer was given gets the same answer, submitted once")
    func comeBackAfterAnswer() async throws {
        try await withBatchServers(turnaround: 0.2) { servers, url in
            let first = try await ask(url, headers: keyed("again"), body: chat(5))
            #expect(first.status == 200 && first.completionTokens == 5 && first.batched)
            for _ in 1 ... 2 {
                let again = try await ask(url, headers: keyed("again"), body: chat(5))
                #expect(again.status == 200 && again.id == first.id && again.id != nil)
            }
            #expect(await servers.mock.batches.counts().requests == 1)
        }
    }

    @Test("Two clients who choose the same idempotency key send two requests, each answered its own")
    func keysAreEachClientsOwn() async throws {
        try await withBatchServers(turnaround: 0.2, configure: { $0.clients.append(.init(name: "other", key: "sk-other")) }) { servers, url in
            let mine = try await ask(url, headers: keyed("shared"), body: chat(4))
            let theirs = try await ask(url, headers: keyed("shared").merging(["Authorization": "Bearer sk-other"]) { $1 }, body: chat(6))
            #expect(mine.status == 200 && mine.completionTokens == 4)
            #expect(theirs.status == 200 && theirs.completionTokens == 6 && theirs.id != mine.id)
            #expect(await servers.mock.batches.counts().requests == 2)
        }
    }

    @Test("A key used again for another request names another request: its own answer, while the first one's stays the first's")
    func keyReusedForAnotherBody() async throws {
        try await withBatchServers(turnaround: 0.2) { servers, url in
            let first = try await ask(url, headers: keyed("reused"), body: chat(4))
            let other = try await ask(url, headers: keyed("reused"), body: chat(6))
            let again = try await ask(url, headers: keyed("reused"), body: chat(4))
            #expect(first.status == 200 && first.completionTokens == 4 && other.status == 200 && other.completionTokens == 6)
            #expect(again.id == first.id && other.id != first.id)
            #expect(await servers.mock.batches.counts().requests == 2)
        }
    }

    @Test("Routing by deadline: a deadline that leaves the batch's expected turnaround goes to batch, a shorter one synchronously")
    func routesByDeadline() async throws {
        try await withBatchServers(turnaround: 0.2, configure: {
            $0.batchByDeadline = true
            $0.engine.deployments[1].batch?.expectedTurnaroundSeconds = 3_600
        }) { servers, url in
            let late = try await ask(url, headers: headers.merging(["x-headroom-deadline": "3600"]) { $1 }, body: chat(3))
            let soon = try await ask(url, headers: headers.merging(["x-headroom-deadline": "3599.5"]) { $1 }, body: chat(4))
            let asked = try await ask(url, headers: headers.merging(["x-headroom-deadline": "86400", "x-headroom-batch": "false"]) { $1 }, body: chat(5))
            #expect(late.status == 200 && late.batched && late.completionTokens == 3)
            #expect(soon.status == 200 && !soon.batched && asked.status == 200 && !asked.batched)
            #expect(await servers.mock.batches.counts().requests == 1)
        }
    }

    @Test("A gateway restarted mid-batch polls the batch again and answers callers who come back, submitting nothing twice")
    func restartMidBatch() async throws {
        let journal = journalPath()
        let mock = try MockServer(deployments: [azure("east"), batchMock(turnaround: 2)])
        try await serving({ mock.application(port: 0, onRunning: $0) }) { mockPort in
            func gateway() throws -> Gateway {
                try batchGateway(mockPort: mockPort, journal: journal, maxAge: 5, maxRequests: 6)
            }
            let first = try gateway()
            try await serving(first) { url in
                let callers = (1 ... 6).map { i in Task { try await ask("\(url)/v1/chat/completions", headers: keyed("r\(i)"), body: chat(i)) } }
                try await untilABatchIsSubmitted(first)
                await first.engine.shutdown(drain: true)
                for caller in callers {
                    let answer = try await caller.value
                    #expect(answer.status == 503 && answer.errorCode == "shutting_down")
                }
            }
            let second = try gateway()
            try await serving(second) { url in
                for i in 1 ... 6 {
                    let answer = try await ask("\(url)/v1/chat/completions", headers: keyed("r\(i)"), body: chat(i))
                    #expect(answer.status == 200 && answer.completionTokens == i)
                }
                #expect(await second.stats().batch?.resumed == 1)
            }
            let counts = await mock.batches.counts()
            #expect(counts.batches == 1 && counts.requests == 6)
        }
    }

    @Test("After a restart, callers of a batch answered before it get their answers from its files, submitted once")
    func answeredBeforeRestart() async throws {
        let journal = journalPath()
        let mock = try MockServer(deployments: [azure("east"), batchMock(turnaround: 0.3)])
        try await serving({ mock.application(port: 0, onRunning: $0) }) { mockPort in
            // The file goes once both requests are in it.
            let first = try batchGateway(mockPort: mockPort, journal: journal, maxAge: 5, maxRequests: 2)
            var stayed: BatchAnswer?
            try await serving(first) { url in
                let leaving = Task { try await ask("\(url)/v1/chat/completions", headers: keyed("leaves"), body: chat(2)) }
                let staying = Task { try await ask("\(url)/v1/chat/completions", headers: keyed("stays"), body: chat(3)) }
                try await untilABatchIsSubmitted(first)
                leaving.cancel()
                _ = try? await leaving.value
                stayed = try await staying.value
                _ = try await statsOnceBatchesEnd(first)
            }
            await first.engine.shutdown(drain: true)
            #expect(stayed?.status == 200 && stayed?.completionTokens == 3)
            let second = try batchGateway(mockPort: mockPort, journal: journal, maxAge: 5, maxRequests: 2)
            try await serving(second) { url in
                // The one who hung up, and the one whose answer was given (it may have been lost on the way): each its own.
                let back = try await ask("\(url)/v1/chat/completions", headers: keyed("leaves"), body: chat(2))
                let again = try await ask("\(url)/v1/chat/completions", headers: keyed("stays"), body: chat(3))
                #expect(back.status == 200 && back.completionTokens == 2 && back.batched)
                #expect(again.status == 200 && again.id == stayed?.id)
            }
            await second.engine.shutdown(drain: true)
            let counts = await mock.batches.counts()
            #expect(counts.batches == 1 && counts.requests == 2)
        }
    }

    @Test("Batch header fields that are not what they should be are refused with a clear 400", arguments: [
        ("x-headroom-batch", "maybe", "x-headroom-batch must be true or false."),
        ("idempotency-key", String(repeating: "k", count: 257), "idempotency-key must be 1 to 256 printable ASCII characters without spaces."),
        ("x-headroom-deadline", "-3", "x-headroom-deadline must be a number of seconds above 0 and at most 604800 (a week)."),
    ])
    func refusesBadFields(name: String, value: String, message: String) async throws {
        try await Servers.with([azure("east"), batchMock()], configure: batchConfiguration(.openAI, journal: journalPath())) { servers in
            let answer = try await exchange("\(servers.gatewayURL)/v1/chat/completions", headers: headers.merging([name: value]) { $1 }, body: chat(1))
            #expect(answer.status == 400 && answer.value("error", "message") as? String == message)
        }
    }
}
