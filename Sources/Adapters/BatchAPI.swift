import Foundation
import HeadroomCore

/// The Batch API on the wire, for OpenAI (`{baseURL}/files`, `{baseURL}/batches`) and Azure OpenAI
/// Global Batch (`{endpoint}/openai/v1/files`, or the dated `/openai/files?api-version=…`): the
/// requests that upload a file, create, poll and cancel a batch and fetch its output, and the lines
/// of an input file.
///
/// ```swift
/// let api = BatchAPI(.openAI(baseURL: "https://api.openai.com/v1"), apiKey: key)
/// let line = try api.line(customID: "hr-1", operation: .chatCompletions, body: body, model: "gpt-4o-mini")
/// let upload = api.upload([line].joined(separator: [10]).map { $0 }, boundary: "b0")
/// ```
public struct BatchAPI: Sendable {
    /// Which provider, and where it is.
    public enum Dialect: Sendable, Hashable {
        /// OpenAI, or a server that speaks its Batch API: `baseURL` like `https://api.openai.com/v1`.
        case openAI(baseURL: String)
        /// Azure OpenAI: the resource's endpoint; `apiVersion` for the dated routes (`nil`: the v1 routes);
        /// the batch deployment's name by model (a model not listed is its own deployment's name).
        case azure(endpoint: String, apiVersion: String?, deployments: [String: String])
    }

    /// Which provider, and where it is.
    public let dialect: Dialect
    private let apiKey: APIKey

    /// Talks to `dialect` with `apiKey`.
    public init(_ dialect: Dialect, apiKey: APIKey) {
        switch dialect {
        case .openAI(let base): self.dialect = .openAI(baseURL: Self.trimmed(base))
        case .azure(let endpoint, let version, let names): self.dialect = .azure(endpoint: Self.trimmed(endpoint), apiVersion: version, deployments: names)
        }
        self.apiKey = apiKey
    }

    /// The endpoint an operation's lines and batch name: `/v1/chat/completions` on OpenAI, `/chat/completions` on Azure.
    public func endpoint(for operation: ProviderOperation) -> String {
        switch dialect {
        case .openAI: "/v1/\(operation.rawValue)"
        case .azure: "/\(operation.rawValue)"
        }
    }

    /// One line of an input file: the request `body` for `model` (on Azure, the batch deployment's name),
    /// under `customID`, without its line feed.
    public func line(customID: String, operation: ProviderOperation, body: [UInt8], model: String) throws(HeadroomError) -> [UInt8] {
        guard operation != .messages else {
            throw HeadroomError(.invalidJob, "A batch deployment serves chat completions and embeddings, not /messages.")
        }
        let name: String
        switch dialect {
        case .openAI: name = model
        case .azure(_, _, let deployments): name = deployments[model] ?? model
        }
        guard !name.isEmpty else { throw HeadroomError(.invalidJob, "The request names no model; a batch file needs one: give \"model\".") }
        let request = try JSONObjectEdit.setting("model", to: .string(name), in: body)
        var line = JSONValue.object(["custom_id": .string(customID), "method": .string("POST"), "url": .string(endpoint(for: operation))]).jsonBytes
        // The body goes in as its bytes (already checked JSON), not parsed and written again.
        line.removeLast()
        line += Array(#","body":"#.utf8) + request + [UInt8(ascii: "}")]
        return line
    }

    /// `POST …/files`: uploads `file` (lines joined by line feeds) for batch, as multipart form data.
    public func upload(_ file: [UInt8], boundary: String) -> HTTPRequestData {
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"headroom.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n".utf8)
        body += file
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return request("POST", "files", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    /// `POST …/batches`: a batch of the uploaded file `inputFileID`, every line to `endpoint`, due within 24 hours.
    public func create(inputFileID: String, endpoint: String, metadata: [String: String] = [:]) -> HTTPRequestData {
        var fields: [String: JSONValue] = ["input_file_id": .string(inputFileID), "endpoint": .string(endpoint), "completion_window": .string("24h")]
        if !metadata.isEmpty { fields["metadata"] = .object(metadata.mapValues(JSONValue.string)) }
        return request("POST", "batches", body: JSONValue.object(fields).jsonBytes, contentType: "application/json")
    }

    /// `GET …/batches/{id}`.
    public func retrieve(_ batchID: String) throws(HeadroomError) -> HTTPRequestData {
        request("GET", "batches/\(try Self.checked(batchID))")
    }

    /// `POST …/batches/{id}/cancel`.
    public func cancel(_ batchID: String) throws(HeadroomError) -> HTTPRequestData {
        request("POST", "batches/\(try Self.checked(batchID))/cancel")
    }

    /// `GET …/batches?limit=100`: the latest batches, to find one whose creation went unrecorded.
    public func list() -> HTTPRequestData {
        request("GET", "batches", query: "limit=100")
    }

    /// `GET …/files/{id}/content`: an output or error file.
    public func content(ofFile fileID: String) throws(HeadroomError) -> HTTPRequestData {
        request("GET", "files/\(try Self.checked(fileID))/content")
    }

    private func request(_ method: String, _ path: String, query: String? = nil, body: [UInt8] = [], contentType: String? = nil) -> HTTPRequestData {
        var headers: [HTTPField]
        let url: String
        switch dialect {
        case .openAI(let base):
            headers = [HTTPField("Authorization", "Bearer \(apiKey.value)")]
            url = "\(base)/\(path)" + (query.map { "?\($0)" } ?? "")
        case .azure(let endpoint, let version, _):
            headers = [HTTPField("api-key", apiKey.value)]
            if let version {
                let encoded = version.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "."])) ?? ""
                url = "\(endpoint)/openai/\(path)?api-version=\(encoded)" + (query.map { "&\($0)" } ?? "")
            } else {
                url = "\(endpoint)/openai/v1/\(path)" + (query.map { "?\($0)" } ?? "")
            }
        }
        if let contentType { headers.append(HTTPField("Content-Type", contentType)) }
        return HTTPRequestData(method: method, url: url, headers: headers, body: body)
    }

    /// An id from the provider, fit to go in a path: it comes from outside.
    static func checked(_ id: String) throws(HeadroomError) -> String {
        guard (1 ... 256).contains(id.utf8.count),
              id.utf8.allSatisfy({ $0 < 128 && (Character(UnicodeScalar($0)).isLetter || Character(UnicodeScalar($0)).isNumber || "-_.".utf8.contains($0)) })
        else { throw HeadroomError(.brokenAnswer, "The provider named a file or batch with an id Headroom will not put in a URL.") }
        return id
    }

    private static func trimmed(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}
