import HeadroomAdapters
import HeadroomCache
import HeadroomCore
import Testing

@Suite("Cache rules")
struct CacheRulesTests {
    @Test("Cache-Control: no-cache, no-store, max-age (quoted or not, any case), and what is ignored", arguments: [
        ("no-cache", true, false, Optional<Int64>.none),
        ("No-Store", false, true, nil),
        ("max-age=60", false, false, 60),
        (#"max-age="30", no-cache"#, true, false, 30),
        ("max-age=0", false, false, 0),
        ("max-age=-1, max-age=1.5, max-age=, private", false, false, nil),
        ("max-age=99999999999999999999999", false, false, 10 * 365 * 86_400),
    ])
    func directives(field: String, noCache: Bool, noStore: Bool, maxAge: Int64?) {
        let directives = CacheDirectives(cacheControl: field)
        #expect(directives.noCache == noCache && directives.noStore == noStore && directives.maxAge == maxAge.map(Duration.seconds))
    }

    @Test("max-age accepts an answer as old as it says and no older")
    func maxAge() {
        let directives = CacheDirectives(cacheControl: "max-age=10")
        #expect(directives.accepts(age: .seconds(10)) && !directives.accepts(age: .milliseconds(10_001)))
        #expect(CacheDirectives().accepts(age: .seconds(1_000_000)))
    }

    @Test("The repeatable mode caches embeddings, and chats at temperature 0 or with a seed; all caches every one; off none", arguments: [
        (ProviderOperation.embeddings, #"{"model":"e","input":"x"}"#, true),
        (.chatCompletions, #"{"model":"m","messages":[],"temperature":0}"#, true),
        (.chatCompletions, #"{"model":"m","messages":[],"temperature":0.0}"#, true),
        (.chatCompletions, #"{"model":"m","messages":[],"seed":3,"temperature":1}"#, true),
        (.chatCompletions, #"{"model":"m","messages":[]}"#, false),
        (.chatCompletions, #"{"model":"m","messages":[],"temperature":0.2}"#, false),
        (.chatCompletions, #"{"model":"m","messages":[],"seed":null}"#, false),
        (.messages, #"{"model":"c","messages":[],"temperature":0}"#, true),
        (.messages, #"{"model":"c","messages":[]}"#, false),
    ])
    func modes(operation: ProviderOperation, body: String, repeatable: Bool) throws {
        let request = try APIRequest(operation, bytes: Array(body.utf8))
        #expect(CacheMode.repeatable.caches(request) == repeatable)
        #expect(CacheMode.all.caches(request) && !CacheMode.off.caches(request))
    }
}
