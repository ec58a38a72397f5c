import Foundation
import HeadroomAdapters
import HeadroomCore
import HeadroomServerSupport
import HeadroomTokenizers
import HTTPTypes
import Hummingbird

/// The Batch API routes, for a mock's batch deployments:
/// - OpenAI: `POST /v1/files` (multipart, `purpose=batch`), `POST /v1/batches`, `GET /v1/batches/ID`,
///   `POST /v1/batches/ID/cancel`, `GET /v1/batches`, `GET /v1/files/ID/content`, each also under
///   `/DEPLOYMENT/v1/…` for one deployment;
/// - Azure: the same under `/openai/v1/…`, and the dated `/openai/files`, `/openai/batches…?api-version=…`;
///   the lines' `model` names the batch deployment.
extension MockServer {
    /// Where a batch goes: a deployment named in the path, or the one the lines' model names or serves.
    private enum BatchTarget {
        case fixed(String)
        case byModel
    }

    func addBatchRoutes(to router: Router<BasicRequestContext>) {
        // Each prefix: its path, whether it names the deployment, whether it is Azure's dated route.
        let prefixes = [("v1", false, false), (":deployment/v1", true, false), ("openai/v1", false, false), ("openai", false, true)]
        for (path, names, dated) in prefixes {
            @Sendable func target(_ context: BasicRequestContext) -> BatchTarget {
                names ? .fixed(context.parameters.get("deployment") ?? "") : .byModel
            }
            router.post(RouterPath("\(path)/files")) { request, _ in
                try await batchCall(request, dated: dated) { try await uploadFile(request) }
            }
            router.post(RouterPath("\(path)/batches")) { request, context in
                try await batchCall(request, dated: dated) { try await createBatch(request, target(context)) }
            }
            router.get(RouterPath("\(path)/batches")) { request, _ in
                try await batchCall(request, dated: dated) {
                    JSONReply.response(200, await batches.list(limit: request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 20))
                }
            }
            router.get(RouterPath("\(path)/batches/:batch")) { request, context in
                try await batchCall(request, dated: dated) {
                    await batches.retrieve(context.parameters.get("batch") ?? "").map { JSONReply.response(200, $0) } ?? Self.noBatch
                }
            }
            router.post(RouterPath("\(path)/batches/:batch/cancel")) { request, context in
                try await batchCall(request, dated: dated) {
                    await batches.cancel(context.parameters.get("batch") ?? "").map { JSONReply.response(200, $0) } ?? Self.noBatch
                }
            }
            router.get(RouterPath("\(path)/files/:file/content")) { request, context in
                try await batchCall(request, dated: dated) {
                    guard let bytes = await batches.content(of: context.parameters.get("file") ?? "") else {
                        return JSONReply.error(404, "No such file.", type: "invalid_request_error", code: "file_not_found")
                    }
                    return Response(status: .ok, headers: [.contentType: "application/jsonl"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
                }
            }
        }
    }

    private static let noBatch = JSONReply.error(404, "No such batch.", type: "invalid_request_error", code: "batch_not_found")

    /// Checks the key (and, on a dated Azure route, the api-version) before `serve`.
    private func batchCall(_ request: Request, dated: Bool, _ serve: () async throws -> Response) async throws -> Response {
        guard request.headers[HTTPTypes.HTTPField.Name("api-key")!] != nil || request.headers[.authorization]?.hasPrefix("Bearer ") == true else {
            return JSONReply.error(401, "Access denied due to a missing key. Send an api-key header, or Authorization: Bearer.",
                                   type: "invalid_request_error", code: "401")
        }
        if dated && request.uri.queryParameters["api-version"] == nil {
            return JSONReply.error(400, "The api-version query parameter is missing; add ?api-version=2024-10-21.",
                                   type: "invalid_request_error", code: "missing_api_version")
        }
        return try await serve()
    }

    private func uploadFile(_ request: Request) async throws -> Response {
        let body = Array(buffer: try await request.body.collect(upTo: MockBatches.maxFileBytes))
        guard let type = request.headers[.contentType], let boundary = MultipartForm.boundary(in: type),
              let form = MultipartForm.parts(of: body, boundary: boundary), let file = form["file"] else {
            return JSONReply.error(400, "Upload the file as multipart/form-data with a \"file\" part and \"purpose\".",
                                   type: "invalid_request_error", code: "invalid_upload")
        }
        let purpose = form["purpose"].map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard purpose == "batch" else {
            return JSONReply.error(400, "purpose is '\(purpose)'; this mock keeps files for batch only.", type: "invalid_request_error", code: "invalid_purpose")
        }
        return JSONReply.response(200, await batches.upload(file, purpose: purpose))
    }

    private func createBatch(_ request: Request, _ target: BatchTarget) async throws -> Response {
        let body = Array(buffer: try await request.body.collect(upTo: Self.maxBody))
        guard let fileID = JSONValue.member("input_file_id", inObject: body)?.stringValue,
              let endpoint = JSONValue.member("endpoint", inObject: body)?.stringValue else {
            return JSONReply.error(400, "Give \"input_file_id\" and \"endpoint\".", type: "invalid_request_error", code: "invalid_body")
        }
        guard JSONValue.member("completion_window", inObject: body)?.stringValue == "24h" else {
            return JSONReply.error(400, "completion_window must be \"24h\".", type: "invalid_request_error", code: "invalid_completion_window")
        }
        guard let operation = Self.operation(of: endpoint) else {
            return JSONReply.error(400, "endpoint '\(endpoint)' is not one this mock batches: /v1/chat/completions or /v1/embeddings.",
                                   type: "invalid_request_error", code: "invalid_endpoint")
        }
        var fixed: Int?
        if case .fixed(let name) = target {
            guard let index = provider.index(of: name) else { return Self.unknownBatchDeployment(name) }
            fixed = index
        }
        let tokenizer = self.tokenizer
        let created = await batches.create(fileID: fileID, endpoint: endpoint, deployment: fixed) { bytes, endpoint throws(MockBatches.Invalid) in
            try Self.lines(of: bytes, endpoint: endpoint, operation: operation, tokenizer: tokenizer)
        }
        return JSONReply.response(created.status, created.body)
    }

    private static func unknownBatchDeployment(_ name: String) -> Response {
        JSONReply.error(404, "No deployment here is named '\(name)'.", type: "invalid_request_error", code: "DeploymentNotFound")
    }

    /// The operation an endpoint names, with or without `/v1`.
    private static func operation(of endpoint: String) -> ProviderOperation? {
        let path = endpoint.hasPrefix("/v1/") ? String(endpoint.dropFirst(3)) : endpoint
        return [ProviderOperation.chatCompletions, .embeddings].first { "/\($0.rawValue)" == path }
    }

    /// The requests of an input file, checked as OpenAI checks them at validation.
    static func lines(of file: [UInt8], endpoint: String, operation: ProviderOperation, tokenizer: BPETokenizer) throws(MockBatches.Invalid) -> [MockBatches.Line] {
        var lines: [MockBatches.Line] = []
        var seen = Set<String>()
        for (number, slice) in file.split(separator: UInt8(ascii: "\n")).enumerated() {
            let bytes = Array(slice)
            if bytes.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
            func invalid(_ problem: String) -> MockBatches.Invalid { MockBatches.Invalid(message: "line \(number + 1): \(problem)") }
            guard lines.count < MockBatches.maxLines else { throw MockBatches.Invalid(message: "the file holds more than \(MockBatches.maxLines) requests") }
            guard let id = JSONValue.member("custom_id", inObject: bytes)?.stringValue, !id.isEmpty else { throw invalid("no custom_id") }
            guard seen.insert(id).inserted else { throw invalid("custom_id '\(id)' is used twice in the file") }
            guard JSONValue.member("method", inObject: bytes)?.stringValue == "POST" else { throw invalid("method is not POST") }
            guard let url = JSONValue.member("url", inObject: bytes)?.stringValue, operation == Self.operation(of: url) else {
                throw invalid("url is not the batch's endpoint \(endpoint)")
            }
            guard let body = JSONValue.member("body", inObject: bytes), let request = try? APIRequest(operation, bytes: body.jsonBytes) else {
                throw invalid("body is not a \(operation.rawValue) request")
            }
            let texts = request.texts
            let prompt = operation == .embeddings ? texts.reduce(0) { $0 + tokenizer.count($1) } : ChatTokenCount.count(request.messages, using: tokenizer)
            let dimensions = request.fields["dimensions"]?.integerValue.flatMap { (1 ... 4_096).contains($0) ? $0 : nil } ?? 16
            lines.append(MockBatches.Line(customID: id, operation: operation, model: request.model ?? "", promptTokens: prompt,
                                          maxTokens: request.outputLimit ?? 4_096, outputTokens: request.fields[Self.outputTokensField]?.integerValue,
                                          texts: texts, dimensions: dimensions, base64: request.fields["encoding_format"]?.stringValue == "base64"))
        }
        guard !lines.isEmpty else { throw MockBatches.Invalid(message: "the file holds no requests") }
        return lines
    }
}

/// Reads `multipart/form-data` (RFC 7578): the parts by name.
enum MultipartForm {
    /// The boundary a `Content-Type` names, quoted or not.
    static func boundary(in contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
              let range = contentType.range(of: "boundary=", options: .caseInsensitive) else { return nil }
        var value = contentType[range.upperBound...].prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
        return (1 ... 70).contains(value.utf8.count) ? value : nil
    }

    /// Each part's content by its name; `nil` when the body is not a form with that boundary.
    static func parts(of body: [UInt8], boundary: String) -> [String: [UInt8]]? {
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [Int] = []
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            starts.append(found)
            index = found + delimiter.count
        }
        guard starts.count >= 2 else { return nil }
        var parts: [String: [UInt8]] = [:]
        for (start, end) in zip(starts, starts.dropFirst()) {
            var from = start + delimiter.count
            if body[from...].starts(with: [13, 10]) { from += 2 }
            guard let headEnd = find([13, 10, 13, 10], in: body, from: from), headEnd < end else { continue }
            let head = String(decoding: body[from ..< headEnd], as: UTF8.self)
            guard let nameRange = head.range(of: "name=\"") else { continue }
            let name = String(head[nameRange.upperBound...].prefix { $0 != "\"" })
            var contentEnd = end
            if contentEnd >= 2, body[contentEnd - 2] == 13, body[contentEnd - 1] == 10 { contentEnd -= 2 }
            parts[name] = Array(body[(headEnd + 4) ..< max(headEnd + 4, contentEnd)])
        }
        return parts
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && haystack[index ..< index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
