import HeadroomAdapters
import Testing

@Suite("JSON nesting")
struct JSONNestingTests {
    @Test("Nesting is counted over arrays and objects, never inside strings", arguments: [
        (#"{"a":[1,{"b":2}]}"#, 3, false), (#"{"a":[1,{"b":2}]}"#, 2, true),
        (#"{"text":"[[[[[[{{{{"}"#, 1, false), (#"{"text":"\"[[[[\\"}"#, 1, false), ("[]", 0, true), ("42", 0, false),
    ])
    func depth(_ json: String, _ limit: Int, _ exceeds: Bool) {
        #expect(JSONNesting.exceeds(limit, in: Array(json.utf8)) == exceeds)
    }

    @Test("A body nested 500 deep is found at once")
    func deepBody() {
        let body = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(JSONNesting.exceeds(JSONNesting.deepestAllowed, in: Array(body.utf8)))
    }
}
