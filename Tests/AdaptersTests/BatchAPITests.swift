import Foundation
import HeadroomAdapters
import HeadroomCore
import Testing

/// The Batch API on the wire: what is sent, and how what comes back is read.
@Suite("Batch API")
struct BatchAPITests {
    let key = APIKey("sk-secret")
    let body = Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"max_tokens":5}"#.utf8)

    @Test("An input line carries the custom id, the endpoint and the body as sent, the model named as the provider wants")
    func lines() throws {
        let openAI = BatchAPI(.openAI(baseURL: "https://api.openai.com/v1/"), apiKey: key)
        #expect(String(decoding: try openAI.line(customID: "hr-1", operation: .chatCompletions, body: body, model: "gpt-4o"), as: UTF8.self)
            == #"{"custom_id":"hr-1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"max_tokens":5}}"#)
        let azure = BatchAPI(.azure(endpoint: "https://x.openai.azure.com", apiVersion: nil, deployments: ["gpt-4o": "gpt4o-batch"]), apiKey: key)
        let line = String(decoding: try azure.line(customID: "hr-2", operation: .embeddings, body: Array(#"{"model":"gpt-4o","input":"a"}"#.utf8), model: "gpt-4o"),
                          as: UTF8.self)
        #expect(line == #"{"custom_id":"hr-2","method":"POST","url":"/embeddings","body":{"model":"gpt4o-batch","input":"a"}}"#)
        #expect(throws: HeadroomError.self) { try openAI.line(customID: "hr-3", operation: .messages, body: body, model: "claude") }
    }

    @Test("Each dialect's routes and key header", arguments: [
        (BatchAPI.Dialect.openAI(baseURL: "http://m/v1"), "http://m/v1/files", "http://m/v1/batches/b_1", "Authorization"),
        (.azure(endpoint: "http://a", apiVersion: nil, deployments: [:]), "http://a/openai/v1/files", "http://a/openai/v1/batches/b_1", "api-key"),
        (.azure(endpoint: "http://a", apiVersion: "2024-10-21", deployments: [:]), "http://a/openai/files?api-version=2024-10-21",
         "http://a/openai/batches/b_1?api-version=2024-10-21", "api-key"),
    ])
    func routes(dialect: BatchAPI.Dialect, upload: String, retrieve: String, keyHeader: String) throws {
        let api = BatchAPI(dialect, apiKey: key)
        let request = api.upload(Array("x".utf8), boundary: "b0")
        #expect(request.url == upload && request.method == "POST")
        #expect(request.header("Content-Type") == "multipart/form-data; boundary=b0")
        #expect(String(decoding: request.body, as: UTF8.self).contains("name=\"purpose\"\r\n\r\nbatch\r\n--b0\r\n"))
        #expect(request.header(keyHeader)?.contains("sk-secret") == true)
        #expect(try api.retrieve("b_1").url == retrieve)
        // An id from the provider that would change the URL is refused.
        #expect(throws: HeadroomError.self) { try api.retrieve("../files?x=1") }
    }

    @Test("A batch object is read whatever the case of its status; a list passes over what is not a batch")
    func objects() throws {
        let object = try BatchObject(json: Array(#"{"id":"b1","status":"InProgress","input_file_id":"f1","request_counts":{"total":3,"completed":1,"failed":0}}"#.utf8))
        #expect(object.status == .inProgress && object.total == 3 && object.completed == 1 && object.inputFileID == "f1")
        let failed = try BatchObject(json: Array(#"{"id":"b2","status":"failed","errors":{"data":[{"code":"token_limit_exceeded","message":"too many"}]}}"#.utf8))
        #expect(failed.status == .failed && failed.problem == "token_limit_exceeded: too many")
        #expect(throws: HeadroomError.self) { try BatchObject(json: Array(#"{"id":"b3","status":"melting"}"#.utf8)) }
        let listed = try BatchObject.list(json: Array(#"{"data":[{"id":"b1","status":"completed"},{"nope":1},3]}"#.utf8))
        #expect(listed.map(\.id) == ["b1"])
    }

    @Test("Output and error lines become outcomes: an answer, a provider's refusal, or unfinished to go synchronously")
    func results() {
        let file = Array("""
        {"id":"r1","custom_id":"a","response":{"status_code":200,"body":{"usage":{"prompt_tokens":3,"completion_tokens":4}}},"error":null}
        not json
        {"id":"r2","custom_id":"b","response":{"status_code":400,"body":{"error":{"message":"bad","code":"invalid"}}},"error":null}
        {"id":"r3","custom_id":"c","response":null,"error":{"code":"batch_expired","message":"too late"}}
        {"id":"r4","custom_id":"d","response":{"status_code":500,"body":{"error":{"message":"oops"}}},"error":null}
        {"id":"r5","response":null}
        """.utf8)
        let lines = BatchResultLine.lines(in: file, limit: 10)
        #expect(lines.map(\.customID) == ["a", "b", "c", "d"])
        let adapter = OpenAIAdapter(apiKey: key)
        #expect(lines[0].outcome(by: adapter).outcome == .succeeded(Usage(promptTokens: 3, completionTokens: 4)))
        #expect(lines[1].outcome(by: adapter).outcome == .permanentFailure(message: "400 invalid: bad"))
        #expect(lines[2].outcome(by: adapter).outcome == .batchUnfinished(message: "batch_expired: too late"))
        guard case .batchUnfinished = lines[3].outcome(by: adapter).outcome else { Issue.record("a 500 in a batch goes synchronously"); return }
        #expect(BatchResultLine.lines(in: file, limit: 2).count == 2)
    }
}
