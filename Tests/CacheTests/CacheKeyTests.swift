import HeadroomAdapters
import HeadroomCache
import HeadroomCore
import Testing

@Suite("Cache key")
struct CacheKeyTests {
    static let base = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100}"#

    private func key(_ body: String, _ operation: ProviderOperation = .chatCompletions, namespace: String = "ns",
                     defaultMaxTokens: Int = 100) throws -> CacheKey? {
        CacheKey(try APIRequest(operation, bytes: Array(body.utf8)), namespace: namespace, defaultMaxTokens: defaultMaxTokens)
    }

    /// Each changes one thing that can change the answer.
    @Test("Changing any member that can change the answer changes the key", arguments: [
        #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi!"}],"temperature":0,"max_tokens":100}"#,
        #"{"model":"gpt-4o","messages":[{"role":"system","content":"Hi"}],"temperature":0,"max_tokens":100}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi","name":"ann"}],"temperature":0,"max_tokens":100}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0.5,"max_tokens":100}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":101}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"top_p":0.9}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"seed":7}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"n":2}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"stop":["\n"]}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"tools":[{"type":"function","function":{"name":"f"}}]}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"tool_choice":"none"}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"response_format":{"type":"json_object"}}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"stream":true}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"logit_bias":{"50256":-100}}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_completion_tokens":100}"#,
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"a_member_from_next_year":1}"#,
    ])
    func everyFieldCounts(changed: String) throws {
        #expect(try key(Self.base) != key(changed))
    }

    @Test("Key order, spacing, escapes and a number's spelling do not change the key")
    func canonical() throws {
        let respelled = """
        { "max_tokens" : 1e2 ,
          "temperature": 0.0, "messages":[ {"content":"\\u0048i", "role":"user"} ], "model":"gpt-4o" }
        """
        #expect(try key(respelled) == key(Self.base))
    }

    @Test("Who asked, its tags and whether to store it upstream do not change the key")
    func ignored() throws {
        let tagged = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":100,"user":"u1","metadata":{"a":"b"},"store":true}"#
        #expect(try key(tagged) == key(Self.base))
    }

    @Test("A body without an output limit is keyed with the default that goes upstream")
    func defaultLimit() throws {
        let unlimited = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0}"#
        #expect(try key(unlimited, defaultMaxTokens: 100) == key(Self.base))
        #expect(try key(unlimited, defaultMaxTokens: 200) != key(Self.base))
    }

    @Test("Namespaces and operations keep their keys apart")
    func apart() throws {
        #expect(try key(Self.base, namespace: "a") != key(Self.base, namespace: "b"))
        #expect(try key(Self.base, .messages) != key(Self.base, .chatCompletions))
    }

    @Test("Header fields sent along count, by name without regard to case and in any order")
    func headerFields() throws {
        var beta = try APIRequest(.chatCompletions, bytes: Array(Self.base.utf8))
        beta.headers = [HTTPField("OpenAI-Beta", "x=1"), HTTPField("x-trace", "t")]
        var reordered = beta
        reordered.headers = [HTTPField("x-trace", "t"), HTTPField("openai-beta", "x=1")]
        var other = beta
        other.headers = [HTTPField("openai-beta", "x=2"), HTTPField("x-trace", "t")]
        let plain = try key(Self.base)
        func keyed(_ request: APIRequest) -> CacheKey? { CacheKey(request, namespace: "ns", defaultMaxTokens: 100) }
        #expect(keyed(beta) == keyed(reordered) && keyed(beta) != keyed(other) && keyed(beta) != plain)
    }

    @Test("A body that names a member twice, even as two spellings of one name, has no key")
    func repeatedNames() throws {
        #expect(try key(#"{"model":"gpt-4o","messages":[],"temperature":0,"temperature":1}"#) == nil)
        #expect(try key(#"{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"tools":[{"caf\u00e9":1,"cafe\u0301":2}]}"#) == nil)
    }
}
