@testable import HeadroomAdapters
import HeadroomCore
import Testing

@Suite("API requests")
struct APIRequestTests {
    private func chat(_ text: String) throws(HeadroomError) -> APIRequest {
        try APIRequest(.chatCompletions, bytes: Array(text.utf8))
    }

    @Test("What the scheduler needs is read from the body once")
    func fields() throws {
        let body = try chat(#"{"model":"gpt-4o","stream":true,"max_tokens":100.0,"n":3,"messages":[{"role":"system","content":"Be brief."},"#
            + #"{"role":"user","name":"ann","content":[{"type":"text","text":"Hi"},{"type":"image_url"},{"type":"text","text":"there"}]}]}"#)
        #expect(body.model == "gpt-4o")
        #expect(body.isStreaming)
        #expect(body.outputLimit == 100)
        #expect(body.choices == 3)
        #expect(body.messages.map(\.role) == ["system", "user"])
        #expect(body.messages.map(\.content) == ["Be brief.", "Hi\nthere"])
        #expect(body.messages.map(\.name) == [nil, "ann"])
    }

    @Test("max_completion_tokens wins over max_tokens; nothing set reads as none, one choice, no streaming")
    func defaults() throws {
        #expect(try chat(#"{"messages":[],"max_tokens":5,"max_completion_tokens":7}"#).outputLimit == 7)
        let bare = try chat(#"{"messages":[]}"#)
        #expect(bare.outputLimit == nil && bare.choices == 1 && !bare.isStreaming && bare.model == nil)
    }

    @Test("An embedding's texts: a string, or the strings of an array (token arrays count as none)")
    func texts() throws {
        #expect(try APIRequest(.embeddings, bytes: Array(#"{"input":"one"}"#.utf8)).texts == ["one"])
        #expect(try APIRequest(.embeddings, bytes: Array(#"{"input":["a","b",[1,2]]}"#.utf8)).texts == ["a", "b"])
    }

    @Test("A body the scheduler cannot read is refused with the reason", arguments: [
        (ProviderOperation.chatCompletions, "not json", "The body is not JSON."),
        (.chatCompletions, "[1]", "The body is not a JSON object."),
        (.chatCompletions, #"{"model":"m"}"#, #"A chat completion request needs "messages": an array of objects, each with a "role"."#),
        (.chatCompletions, #"{"messages":[{"content":"hi"}]}"#, #"A chat completion request needs "messages": an array of objects, each with a "role"."#),
        (.chatCompletions, #"{"messages":[],"model":7}"#, #""model" must be a string."#),
        (.chatCompletions, #"{"messages":[],"max_tokens":"ten"}"#, #""max_tokens" must be an integer."#),
        (.chatCompletions, #"{"messages":[],"n":1.5}"#, #""n" must be an integer."#),
        (.chatCompletions, #"{"messages":[],"stream":"yes"}"#, #""stream" must be true or false."#),
        (.embeddings, #"{"model":"m"}"#, #"An embedding request needs "input": a string, or an array of strings or tokens."#),
        (.chatCompletions, String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
         "The body nests arrays and objects more than 64 deep; no request needs that."),
    ])
    func refused(_ operation: ProviderOperation, _ text: String, _ message: String) {
        let error = #expect(throws: HeadroomError.self) { try APIRequest(operation, bytes: Array(text.utf8)) }
        #expect(error?.kind == .invalidJob)
        #expect(error?.message == message)
    }

    @Test("Setting a member changes its value's bytes and no others", arguments: [
        (#"{"model":"a", "messages":[] }"#, "model", JSONValue.string("b\"c"), #"{"model":"b\"c", "messages":[] }"#),
        (#"{"messages":[] }"#, "max_tokens", .integer(1024), #"{"messages":[] ,"max_tokens":1024}"#),
        (#" { } "#, "stream", .bool(true), #" { "stream":true} "#),
        (#"{"model" : "same"}"#, "model", .string("same"), #"{"model" : "same"}"#),
        (#"{"n":1,"messages":[],"n":2}"#, "n", .integer(3), #"{"n":3,"messages":[],"n":3}"#),
    ])
    func edit(_ text: String, _ name: String, _ value: JSONValue, _ expected: String) throws {
        #expect(String(decoding: try JSONObjectEdit.setting(name, to: value, in: Array(text.utf8)), as: UTF8.self) == expected)
    }

    @Test("A body's member set is sent and read alike")
    func set() throws {
        var body = try chat(#"{"messages":[]}"#)
        try body.set("max_tokens", to: .integer(1024))
        #expect(String(decoding: body.bytes, as: UTF8.self) == #"{"messages":[],"max_tokens":1024}"#)
        #expect(body.outputLimit == 1024)
    }
}
