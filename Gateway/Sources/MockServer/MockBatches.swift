import Foundation
import HeadroomAdapters
import HeadroomCore
import HeadroomServerSupport
import HeadroomSimulator
import HeadroomTokenizers

/// The Batch API of a mock's batch deployments, in real time: uploaded files, batches played by the
/// simulator's ``MockBatchEndpoint`` (turnaround, failures, expiry, the enqueued-token quota), and
/// the output and error files of those that ended.
public actor MockBatches {
    /// One request of an uploaded file, as much of it as an answer needs.
    struct Line: Sendable {
        let customID: String
        let operation: ProviderOperation
        let model: String
        let promptTokens: Int
        let maxTokens: Int
        let outputTokens: Int?
        let texts: [String]
        let dimensions: Int
        let base64: Bool
    }

    /// Why an input file cannot be a batch: OpenAI fails such a batch at validation.
    struct Invalid: Error {
        let message: String
    }

    private struct File: Sendable {
        let bytes: [UInt8]
        let purpose: String
        let createdAt: Int
    }

    private struct Batch: Sendable {
        let id: String
        let deployment: Int
        let number: Int
        let endpoint: String
        let inputFileID: String
        let lines: [Line]
        let createdAt: Int
        /// Why the file was refused, for a batch that failed at once.
        let invalid: String?
        var outputFileID: String?
        var errorFileID: String?
        var finished = false
    }

    /// What `GET /mock/stats` says of the Batch API.
    public struct Statistics: Codable, Hashable, Sendable {
        /// Files uploaded, batches created, requests in them.
        public var files = 0, batches = 0, requests = 0
        /// Batches that ended, by status.
        public var completed = 0, failed = 0, expired = 0, cancelled = 0
        /// Requests answered in output files, and listed unfinished in error files.
        public var answered = 0, unfinished = 0
        /// Batches cancelled by a client.
        public var cancelRequests = 0
    }

    private let deployments: [SimulatedDeployment]
    private var endpoints: [Int: MockBatchEndpoint] = [:]
    private var files: [String: File] = [:]
    /// File ids oldest first, and their bytes together: past ``maxStoredBytes`` the oldest go.
    private var fileOrder: [String] = []
    private var storedBytes = 0
    private var batches: [String: Batch] = [:]
    private var order: [String] = []
    private var statistics = Statistics()
    private var random: SeededRandom
    private let origin = ContinuousClock.now
    private var issued = 0

    /// The most requests in one file (Azure's bound), and the most bytes.
    static let maxLines = 100_000
    static let maxFileBytes = 210_000_000
    /// The most bytes of files kept, so that a mock left running stays bounded: the oldest files go first.
    static let maxStoredBytes = 1 << 30

    init(deployments: [SimulatedDeployment], seed: UInt64) {
        self.deployments = deployments
        for (index, deployment) in deployments.enumerated() {
            if let batch = deployment.batch { endpoints[index] = MockBatchEndpoint(model: batch.model, deployment: index, scenarioSeed: seed) }
        }
        random = SeededRandom(seed: seed ^ 0xF11E)
    }

    /// Counts so far.
    public func counts() -> Statistics { statistics }

    /// Keeps an uploaded file; returns its object.
    func upload(_ bytes: [UInt8], purpose: String) -> [UInt8] {
        let id = nextID("file")
        store(File(bytes: bytes, purpose: purpose, createdAt: Int(Date().timeIntervalSince1970)), as: id)
        statistics.files += 1
        return JSONValue.object(["id": .string(id), "object": .string("file"), "bytes": .integer(bytes.count), "purpose": .string(purpose),
                                 "filename": .string("input.jsonl"), "created_at": .integer(Int(Date().timeIntervalSince1970)), "status": .string("processed")]).jsonBytes
    }

    /// Creates a batch of file `fileID` on the batch deployment at `deployment` (`nil`: the one its lines'
    /// model names or serves). `parse` reads the file's lines; a file it refuses makes a failed batch.
    func create(fileID: String, endpoint: String, deployment fixed: Int?, parse: ([UInt8], String) throws(Invalid) -> [Line]) -> (status: Int, body: [UInt8]) {
        guard let file = files[fileID], file.purpose == "batch" else {
            return (400, JSONReply.errorBody("No file '\(fileID)' with purpose batch was uploaded.", type: "invalid_request_error", code: "invalid_file"))
        }
        var lines: [Line] = []
        var invalid: String?
        do {
            lines = try parse(file.bytes, endpoint)
        } catch {
            invalid = error.message
        }
        let model = lines.first?.model
        guard let index = fixed ?? model.flatMap(batchDeployment(named:)) else {
            return (404, JSONReply.errorBody("No batch deployment here serves '\(model ?? "")'.", type: "invalid_request_error", code: "DeploymentNotFound"))
        }
        guard endpoints[index] != nil else {
            return (400, JSONReply.errorBody("Deployment '\(deployments[index].id)' is not a batch deployment.", type: "invalid_request_error", code: "not_batch"))
        }
        if invalid == nil, let other = lines.first(where: { $0.model != model }) {
            invalid = "every line of a file names one model; '\(other.customID)' names '\(other.model)', the first '\(model ?? "")'."
        }
        let prompt = lines.reduce(0) { $0 + $1.promptTokens }
        let number = invalid == nil ? endpoints[index]!.create(requests: lines.count, promptTokens: prompt, now: elapsed()) : -1
        let id = nextID("batch")
        batches[id] = Batch(id: id, deployment: index, number: number, endpoint: endpoint, inputFileID: fileID, lines: lines,
                            createdAt: Int(Date().timeIntervalSince1970), invalid: invalid)
        order.append(id)
        statistics.batches += 1
        statistics.requests += lines.count
        return (200, object(id))
    }

    /// Batch `id`'s object, its output and error files written once it has ended; `nil` for an unknown batch.
    func retrieve(_ id: String) -> [UInt8]? {
        guard batches[id] != nil else { return nil }
        return object(id)
    }

    /// Cancels batch `id`; `nil` for an unknown batch.
    func cancel(_ id: String) -> [UInt8]? {
        guard let batch = batches[id] else { return nil }
        if batch.number >= 0 { endpoints[batch.deployment]?.cancel(batch.number, at: elapsed()) }
        statistics.cancelRequests += 1
        return object(id)
    }

    /// The latest `limit` batches, newest first.
    func list(limit: Int) -> [UInt8] {
        let ids = order.suffix(max(1, min(limit, 100))).reversed()
        let data = ids.compactMap { try? JSONValue(parsing: object($0)) }
        return JSONValue.object(["object": .string("list"), "data": .array(data), "has_more": .bool(false)]).jsonBytes
    }

    /// File `id`'s bytes, or `nil`.
    func content(of id: String) -> [UInt8]? { files[id]?.bytes }

    // MARK: Objects

    private func object(_ id: String) -> [UInt8] {
        var batch = batches[id]!
        let state: MockBatchEndpoint.State
        if let invalid = batch.invalid {
            state = MockBatchEndpoint.State(status: .failed, served: 0, total: batch.lines.count, endsAt: .zero, problem: "invalid_request: \(invalid)")
        } else {
            state = endpoints[batch.deployment]!.state(of: batch.number, at: elapsed())
        }
        if state.status.isFinal && !batch.finished {
            batch.finished = true
            finish(&batch, state)
            batches[id] = batch
        }
        var fields: [String: JSONValue] = [
            "id": .string(id), "object": .string("batch"), "endpoint": .string(batch.endpoint), "input_file_id": .string(batch.inputFileID),
            "completion_window": .string("24h"), "status": .string(status(state.status, at: batch.deployment)), "created_at": .integer(batch.createdAt),
            "request_counts": .object(["total": .integer(batch.lines.count), "completed": .integer(state.served),
                                       "failed": .integer(state.status.isFinal && state.status != .completed ? batch.lines.count - state.served : 0)]),
            "output_file_id": batch.outputFileID.map(JSONValue.string) ?? .null, "error_file_id": batch.errorFileID.map(JSONValue.string) ?? .null,
        ]
        if let problem = state.problem {
            let code = problem.components(separatedBy: ":").first ?? "invalid_request"
            fields["errors"] = .object(["object": .string("list"), "data": .array([.object(["code": .string(code), "message": .string(problem)])])])
        }
        return JSONValue.object(fields).jsonBytes
    }

    /// Azure says its statuses capitalised; OpenAI in lower case.
    private func status(_ status: BatchStatus, at index: Int) -> String {
        guard deployments[index].endpoint.provider == .azureOpenAI else { return status.rawValue }
        return status == .inProgress ? "InProgress" : status.rawValue.prefix(1).uppercased() + status.rawValue.dropFirst()
    }

    /// Writes the output and error files of a batch that ended as `state` says.
    private func finish(_ batch: inout Batch, _ state: MockBatchEndpoint.State) {
        switch state.status {
        case .completed: statistics.completed += 1
        case .expired: statistics.expired += 1
        case .cancelled: statistics.cancelled += 1
        default: statistics.failed += 1
        }
        guard state.status != .failed else { return }
        var output: [UInt8] = []
        var errors: [UInt8] = []
        for (position, line) in batch.lines.enumerated() {
            let id = nextID("batch_req")
            if position < state.served {
                let body = answer(line)
                let response: JSONValue = .object(["status_code": .integer(200), "request_id": .string(id), "body": body])
                output += JSONValue.object(["id": .string(id), "custom_id": .string(line.customID), "response": response, "error": .null]).jsonBytes + [10]
                statistics.answered += 1
            } else {
                let code = state.status == .expired ? "batch_expired" : "batch_cancelled"
                let error: JSONValue = .object(["code": .string(code), "message": .string("This request could not be executed before the batch ended.")])
                errors += JSONValue.object(["id": .string(id), "custom_id": .string(line.customID), "response": .null, "error": error]).jsonBytes + [10]
                statistics.unfinished += 1
            }
        }
        if !output.isEmpty { batch.outputFileID = keep(output) }
        if !errors.isEmpty { batch.errorFileID = keep(errors) }
    }

    /// Keeps `file` as `id`, dropping the oldest files past ``maxStoredBytes`` (never the one just kept).
    private func store(_ file: File, as id: String) {
        files[id] = file
        fileOrder.append(id)
        storedBytes += file.bytes.count
        while storedBytes > Self.maxStoredBytes, fileOrder.count > 1 {
            storedBytes -= files.removeValue(forKey: fileOrder.removeFirst())?.bytes.count ?? 0
        }
    }

    private func keep(_ bytes: [UInt8]) -> String {
        let id = nextID("file")
        store(File(bytes: bytes, purpose: "batch_output", createdAt: Int(Date().timeIntervalSince1970)), as: id)
        return id
    }

    /// A line's answer body, as the synchronous route would give it.
    private func answer(_ line: Line) -> JSONValue {
        let bytes: [UInt8]
        switch line.operation {
        case .embeddings:
            bytes = MockReplies.embeddings(line.texts, model: line.model, dimensions: line.dimensions, base64: line.base64, promptTokens: line.promptTokens)
        default:
            let drawn = 8 + Int(random.next() % 57)
            let tokens = min(line.maxTokens, max(0, line.outputTokens ?? drawn))
            bytes = MockReplies.completion(id: nextID("chatcmpl-mock"), model: line.model, promptTokens: line.promptTokens, completionTokens: tokens,
                                           maxTokens: line.maxTokens)
        }
        return (try? JSONValue(parsing: bytes)) ?? .null
    }

    private func batchDeployment(named model: String) -> Int? {
        if let index = deployments.firstIndex(where: { $0.id == model }), endpoints[index] != nil { return index }
        return deployments.indices.first { endpoints[$0] != nil && (deployments[$0].models.isEmpty || deployments[$0].models.contains(model)) }
    }

    private func nextID(_ prefix: String) -> String {
        issued += 1
        return "\(prefix)_\(issued)"
    }

    private func elapsed() -> Instant {
        Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds)
    }
}
