import HeadroomCore

/// A batch as the provider describes it.
public struct BatchObject: Hashable, Sendable {
    /// Its id.
    public var id: String
    /// Where it stands.
    public var status: BatchStatus
    /// The file it was made from.
    public var inputFileID: String?
    /// The file of its answers, once there is one.
    public var outputFileID: String?
    /// The file of its failed and unfinished requests, once there is one.
    public var errorFileID: String?
    /// Its requests: in all, completed, failed.
    public var total = 0, completed = 0, failed = 0
    /// Why it failed as a whole (validation), if the provider said.
    public var problem: String?

    /// Creates a description.
    public init(id: String, status: BatchStatus) {
        self.id = id
        self.status = status
    }

    /// Reads a batch object (`{"id", "status", "output_file_id", …}`).
    ///
    /// - Throws: ``HeadroomError/Kind/brokenAnswer`` when it is not one.
    public init(json bytes: [UInt8]) throws(HeadroomError) {
        guard case .object(let fields)? = try? JSONParser.parse(bytes) else { throw Self.broken("is not a JSON object") }
        try self.init(fields)
    }

    init(_ fields: [String: JSONValue]) throws(HeadroomError) {
        guard let id = fields["id"]?.stringValue else { throw Self.broken("has no id") }
        guard let text = fields["status"]?.stringValue, let status = BatchStatus(provider: text) else { throw Self.broken("has no status Headroom knows") }
        self.init(id: id, status: status)
        inputFileID = fields["input_file_id"]?.stringValue
        outputFileID = fields["output_file_id"]?.stringValue
        errorFileID = fields["error_file_id"]?.stringValue
        if case .object(let counts)? = fields["request_counts"] {
            total = max(0, counts["total"]?.integerValue ?? 0)
            completed = max(0, counts["completed"]?.integerValue ?? 0)
            failed = max(0, counts["failed"]?.integerValue ?? 0)
        }
        if case .object(let errors)? = fields["errors"], case .array(let list)? = errors["data"], case .object(let first)? = list.first {
            problem = [first["code"]?.stringValue, first["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        }
    }

    /// The batches of a list (`{"data": [batch, …]}`); entries that are not batches are passed over.
    public static func list(json bytes: [UInt8]) throws(HeadroomError) -> [BatchObject] {
        guard case .object(let fields)? = try? JSONParser.parse(bytes), case .array(let items)? = fields["data"] else {
            throw broken("list is not {\"data\": [...]}")
        }
        return items.compactMap { item in
            guard case .object(let fields) = item else { return nil }
            return try? BatchObject(fields)
        }
    }

    private static func broken(_ problem: String) -> HeadroomError {
        HeadroomError(.brokenAnswer, "The provider's batch \(problem).")
    }
}

/// One line of a batch's output or error file: a request's answer, or why it has none.
public struct BatchResultLine: Hashable, Sendable {
    /// The id the request was given in the input file.
    public var customID: String
    /// The status the provider answered the request with, if it answered.
    public var statusCode: Int?
    /// The answer's body (JSON), if it answered.
    public var body: [UInt8]
    /// The error's code (`batch_expired`, …) and message, for a request without an answer.
    public var errorCode: String?, errorMessage: String?

    /// The lines of an output or error file, at most `limit`: a line that is not a result is passed
    /// over (the file comes from outside), and so is one without a custom id.
    public static func lines(in file: [UInt8], limit: Int) -> [BatchResultLine] {
        var lines: [BatchResultLine] = []
        for slice in file.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) where lines.count < limit {
            guard case .object(let fields)? = try? JSONParser.parse(Array(slice)), let id = fields["custom_id"]?.stringValue else { continue }
            var line = BatchResultLine(customID: id, statusCode: nil, body: [])
            if case .object(let response)? = fields["response"] {
                line.statusCode = response["status_code"]?.integerValue
                if let body = response["body"], body != .null { line.body = body.jsonBytes }
            }
            if case .object(let error)? = fields["error"] {
                line.errorCode = error["code"]?.stringValue
                line.errorMessage = error["message"]?.stringValue
            }
            lines.append(line)
        }
        return lines
    }

    /// What the line means for its job, judged by `adapter` as the same answer sent synchronously
    /// would be. A request the batch left unfinished (expired, cancelled), or that the provider
    /// throttled or failed in a way a retry may fix, goes again synchronously.
    public func outcome(by adapter: any ProviderAdapter) -> ClassifiedResponse {
        if let status = statusCode, !body.isEmpty || status != 200 {
            let judged = adapter.classify(status: status, headers: [:], body: body, receivedAt: .now, expectedUsage: Usage(promptTokens: 0, completionTokens: 0))
            switch judged.outcome {
            case .throttled, .transientFailure:
                return Self.unfinished("the batch's answer was \(status): \(judged.message)")
            default:
                return ClassifiedResponse(responseClass: judged.responseClass, message: judged.message, code: judged.code, outcome: judged.outcome, rateLimits: nil)
            }
        }
        let code = errorCode ?? "no_answer"
        let message = errorMessage ?? "the batch gave no answer"
        if ["batch_expired", "batch_cancelled", "no_answer"].contains(code) { return Self.unfinished("\(code): \(message)") }
        return ClassifiedResponse(responseClass: .badRequest, message: message, code: code, outcome: .permanentFailure(message: "\(code): \(message)"), rateLimits: nil)
    }

    /// The outcome of a request a batch did not serve: sent again synchronously.
    public static func unfinished(_ message: String) -> ClassifiedResponse {
        ClassifiedResponse(responseClass: .transient, message: message, code: nil, outcome: .batchUnfinished(message: message), rateLimits: nil)
    }
}
