import Foundation
import HeadroomAdapters
import HeadroomCore
import Testing

func jsonObject(_ bytes: [UInt8]) -> NSDictionary? {
    (try? JSONSerialization.jsonObject(with: Data(bytes))) as? NSDictionary
}

let chatJSON = #"""
{"model":"gpt-4o","temperature":0.2,"seed":7,"stream":true,"stream_options":{"include_usage":true},
 "max_completion_tokens":300,"n":2,"response_format":{"type":"json_object"},
 "tools":[{"type":"function","function":{"name":"now","parameters":{"type":"object","properties":{}}}}],
 "messages":[{"role":"system","content":"Be brief."},
             {"role":"user","name":"ana","content":[{"type":"text","text":"What is this?"},
                                                   {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}}]},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"now","arguments":"{}"}}]}]}
"""#

@Suite("Request types")
struct RequestTypeTests {
    @Test("A chat request keeps every field it does not model, through decoding and encoding")
    func chatRoundTrip() throws {
        let request = try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(chatJSON.utf8))
        #expect(request.outputLimit == 300 && request.n == 2 && request.stream == true)
        #expect(request.messages.map(\.text) == ["Be brief.", "What is this?", ""])
        #expect(request.messages[1].name == "ana")
        #expect(request.extra["seed"] == .integer(7) && request.extra["temperature"] == .number(0.2))
        let encoded = try JSONEncoder().encode(request)
        #expect(jsonObject(Array(encoded)) == jsonObject(Array(chatJSON.utf8)))
    }

    @Test("An embeddings request takes one input or many, and keeps the rest")
    func embeddings() throws {
        let many = try JSONDecoder().decode(EmbeddingRequest.self, from: Data(#"{"input":["a","b"],"dimensions":256}"#.utf8))
        #expect(many.texts == ["a", "b"] && many.extra == ["dimensions": .integer(256)])
        #expect(EmbeddingRequest(inputs: ["only"]).input == .string("only"))
        let encoded = try JSONEncoder().encode(many)
        #expect(jsonObject(Array(encoded)) == jsonObject(Array(#"{"input":["a","b"],"dimensions":256}"#.utf8)))
    }
}

@Suite("Provider requests")
struct ProviderRequestTests {
    let body = Array(#"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":5}"#.utf8)

    @Test("OpenAI: bearer key, /v1 path, the model in the body")
    func openAI() throws {
        let adapter = OpenAIAdapter(apiKey: APIKey("sk-test"), organization: "org-1")
        let request = try adapter.request(.chatCompletions, body: body, model: "gpt-4o")
        #expect(request.method == "POST" && request.url == "https://api.openai.com/v1/chat/completions")
        #expect(request.headers == [HTTPField("Authorization", "Bearer sk-test"), HTTPField("Content-Type", "application/json"),
                                    HTTPField("OpenAI-Organization", "org-1")])
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":5,"model":"gpt-4o"}"#)
        #expect(adapter.provider == .openAI)
    }

    @Test("An OpenAI-compatible server at its own base URL")
    func compatible() throws {
        let adapter = OpenAIAdapter(baseURL: "http://127.0.0.1:8000/v1/", apiKey: APIKey("local"), provider: .openAICompatible)
        let request = try adapter.request(.embeddings, body: Array(#"{"input":"x"}"#.utf8), model: "bge")
        #expect(request.url == "http://127.0.0.1:8000/v1/embeddings" && request.header("authorization") == "Bearer local")
        #expect(adapter.provider == .openAICompatible)
    }

    @Test("Azure: api-key, the deployment in the path with api-version, the body untouched")
    func azureDeployments() throws {
        let adapter = AzureOpenAIAdapter(endpoint: "https://res.openai.azure.com/", apiKey: APIKey("az-key"),
                                         deployments: ["gpt-4o": "gpt4o-east"])
        let request = try adapter.request(.chatCompletions, body: body, model: "gpt-4o")
        #expect(request.url == "https://res.openai.azure.com/openai/deployments/gpt4o-east/chat/completions?api-version=2024-10-21")
        #expect(request.headers == [HTTPField("api-key", "az-key"), HTTPField("Content-Type", "application/json")])
        #expect(request.body == body)
    }

    @Test("Azure's v1 route: the deployment named in the body")
    func azureV1() throws {
        let adapter = AzureOpenAIAdapter(endpoint: "https://res.openai.azure.com", apiKey: APIKey("az-key"),
                                         deployments: ["text-embedding-3-small": "embed-1"], route: .v1)
        let request = try adapter.request(.embeddings, body: Array(#"{"input":"x"}"#.utf8), model: "text-embedding-3-small")
        #expect(request.url == "https://res.openai.azure.com/openai/v1/embeddings")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"input":"x","model":"embed-1"}"#)
    }

    @Test("Keys never show themselves, and a missing one names only its variable")
    func keys() {
        let key = APIKey("sk-secret")
        #expect("\(key)" == "<redacted>" && String(reflecting: key) == "<redacted>")
        #expect(!"\(OpenAIAdapter(apiKey: key))".contains("sk-secret"))
        do {
            _ = try APIKey(environment: "HEADROOM_TEST_KEY", in: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "The environment variable HEADROOM_TEST_KEY is not set or empty; set it to the API key.")
        }
    }

    @Test("A body that is not a JSON object is refused, not sent")
    func badBody() {
        #expect(throws: HeadroomError.self) {
            try OpenAIAdapter(apiKey: APIKey("k")).request(.chatCompletions, body: Array("[1]".utf8), model: "m")
        }
    }
}
