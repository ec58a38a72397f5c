import Foundation
import HeadroomCore
import Testing
@testable import HeadroomSimulator

func fixture(_ name: String) -> String {
    Bundle.module.path(forResource: name, ofType: nil, inDirectory: "Fixtures")!
}

/// Writes `text` to a new temporary file, runs `body` with its path, and removes the file.
func withTemporaryFile<T>(_ text: String, suffix: String, _ body: (String) throws -> T) rethrows -> T {
    let path = NSTemporaryDirectory() + "headroom-\(UUID().uuidString)\(suffix)"
    precondition(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write \(path)")
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

func readAll<W: WorkloadSource>(_ workload: inout W) throws(HeadroomError) -> [SimulatedRequest] {
    var requests: [SimulatedRequest] = []
    while let request = try workload.next() { requests.append(request) }
    return requests
}

func errorMessage(_ body: () throws(HeadroomError) -> Void) -> String? {
    do { try body() } catch { return error.message }
    return nil
}

@Suite("Trace readers")
struct TraceReaderTests {
    @Test("The Azure 2023 CSV: arrivals from the first row, sizes, max_tokens from the rule")
    func azureFixture() throws {
        var reader = try AzureTraceReader(path: fixture("azure2023_code_head.csv"), maxTokens: .outputTimes(1.25))
        let requests = try readAll(&reader)
        #expect(requests.count == 40)
        #expect(requests[0] == SimulatedRequest(arrival: .zero, promptTokens: 4_808, maxTokens: 13, outputTokens: 10))
        #expect(requests[1] == SimulatedRequest(arrival: Instant(nanoseconds: 52_000_000), promptTokens: 3_180, maxTokens: 10, outputTokens: 8))
    }

    @Test("A byte-order mark opening a CSV or a JSONL trace is passed over")
    func byteOrderMark() throws {
        let csv = "\u{FEFF}TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,4808,10\n"
        let fromCSV = try withTemporaryFile(csv, suffix: ".csv") { path in
            var reader = try AzureTraceReader(path: path, maxTokens: .outputTimes(1.25))
            return try readAll(&reader)
        }
        #expect(fromCSV == [SimulatedRequest(arrival: .zero, promptTokens: 4_808, maxTokens: 13, outputTokens: 10)])
        let jsonl = "\u{FEFF}{\"arrival\": 0, \"prompt_tokens\": 9, \"output_tokens\": 4, \"max_tokens\": 4}\n"
        let fromJSONL = try withTemporaryFile(jsonl, suffix: ".jsonl") { path in
            var reader = try JSONLTraceReader(path: path, format: .native, maxTokens: .fixed(1_000))
            return try readAll(&reader)
        }
        #expect(fromJSONL.map(\.promptTokens) == [9])
    }

    @Test("The Azure timestamp parser is exact to 100 ns across dates")
    func azureTimestamps() {
        #expect(AzureTraceReader.parseTimestamp("1970-01-01 00:00:00") == 0)
        #expect(AzureTraceReader.parseTimestamp("2023-11-16 18:15:46.6805900") == 1_700_158_546_680_590_000)
        #expect(AzureTraceReader.parseTimestamp("2024-02-29 00:00:01.5") == 1_709_164_801_500_000_000)
        #expect(AzureTraceReader.parseTimestamp("2023-13-16 18:15:46") == nil)
        #expect(AzureTraceReader.parseTimestamp("yesterday") == nil)
        // Outside 1970 to 2200 a difference of two timestamps could overflow.
        #expect(AzureTraceReader.parseTimestamp("2200-12-31 23:59:59.9999999") == 7_289_654_399_999_999_900)
        #expect(AzureTraceReader.parseTimestamp("2201-01-01 00:00:00") == nil)
        #expect(AzureTraceReader.parseTimestamp("1969-12-31 23:59:59") == nil)
    }

    @Test("The Mooncake JSONL: millisecond timestamps, lengths, hash ids skipped")
    func mooncakeFixture() throws {
        var reader = try JSONLTraceReader(path: fixture("mooncake_conversation_head.jsonl"), format: .mooncake, maxTokens: .fixed(1_000))
        let requests = try readAll(&reader)
        #expect(requests.count == 40)
        #expect(requests[0] == SimulatedRequest(arrival: .zero, promptTokens: 6_758, maxTokens: 1_000, outputTokens: 500))
    }

    @Test("The native JSONL with every field, and with defaults")
    func native() throws {
        let text = """
        {"arrival": 0.5, "prompt_tokens": 900, "max_tokens": 400, "output_tokens": 212, "model": "gpt-4o-mini", "priority": 2, "tenant": "search", "cache_key": "q1", "repeatable": false, "batch": true, "deadline": 90.0005}

        {"arrival": 1.25, "prompt_tokens": 10, "output_tokens": 8, "cache_key": "q2"}
        """
        try withTemporaryFile(text, suffix: ".jsonl") { path in
            var reader = try JSONLTraceReader(path: path, format: .native, maxTokens: .outputTimes(2))
            let requests = try readAll(&reader)
            var first = SimulatedRequest(arrival: .seconds(0.5), promptTokens: 900, maxTokens: 400, outputTokens: 212, model: "gpt-4o-mini", priority: 2,
                                         tenant: "search", cacheKey: "q1", isRepeatable: false)
            first.batch = true
            // Rounded up to the millisecond, as the gateway rounds x-headroom-deadline.
            first.deadline = .milliseconds(90_001)
            #expect(requests == [first, SimulatedRequest(arrival: .seconds(1.25), promptTokens: 10, maxTokens: 16, outputTokens: 8, cacheKey: "q2")])
            #expect(try WorkloadSpec.TraceFormat.guess(path: path) == .native)
        }
    }

    @Test("Native JSONL strings may hold escapes, and numbers any JSON notation")
    func nativeNotation() throws {
        let text = #"""
        {"arrival": 2.5e-1, "prompt_tokens": 1.2E3, "max_tokens": +40, "tenant": "a\"b\u00e9\\", "model": "plain", "tags": ["x]", {"y": "}"}]}
        {"arrival": 1, "prompt_tokens": 0000000000000042, "max_tokens": -0, "priority": -7}
        """#
        let requests = try withTemporaryFile(text, suffix: ".jsonl") { path in
            var reader = try JSONLTraceReader(path: path, format: .native)
            return try readAll(&reader)
        }
        #expect(requests == [
            SimulatedRequest(arrival: .seconds(0.25), promptTokens: 1_200, maxTokens: 40, outputTokens: 40, model: "plain", tenant: "a\"bé\\"),
            SimulatedRequest(arrival: .seconds(1), promptTokens: 42, maxTokens: 0, outputTokens: 0, priority: -7),
        ])
    }

    @Test("Malformed rows are errors naming the file, the line and the problem", arguments: [
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:47,12\n", ".csv",
         ":3: expected 3 comma-separated fields, found 2 in '2023-11-16 18:15:47,12'."),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\nlater,374,44\n", ".csv",
         ":2: TIMESTAMP 'later' is not of the form 2023-11-16 18:15:46.6805900 (in the years 1970 to 2200)."),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2300-01-01 00:00:00,374,44\n", ".csv",
         ":2: TIMESTAMP '2300-01-01 00:00:00' is not of the form 2023-11-16 18:15:46.6805900 (in the years 1970 to 2200)."),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,-3,44\n", ".csv", ":2: ContextTokens '-3' is not a whole number from 0 to 999,999,999,999."),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,3,9000000000000000000\n", ".csv",
         ":2: GeneratedTokens '9000000000000000000' is not a whole number from 0 to 999,999,999,999."),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,3,44\n2023-11-16 18:15:45,3,44\n", ".csv",
         ":3: the timestamp goes back in time; the trace must be sorted by TIMESTAMP."),
        ("time,in,out\n", ".csv", ":1: expected the header TIMESTAMP,ContextTokens,GeneratedTokens, found 'time,in,out'. Is this an Azure 2023 LLM inference trace?"),
        ("{\"timestamp\": 0, \"input_length\": 5}\n", ".mooncake", ":1: the field \"output_length\" is missing."),
        ("{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 2.5}\n", ".mooncake", ":1: \"output_length\" must be a whole number from 0 to 999,999,999,999."),
        ("{\"arrival\": 1, \"prompt_tokens\": 5, \"max_tokens\": 5}\n{\"arrival\": 2, \"prompt_tokens\": 5\n", ".jsonl",
         ":2: not a JSON object: expected '}' at column 34."),
        ("{\"arrival\": 1, \"prompt_tokens\": 5}\n", ".jsonl", ":1: give \"max_tokens\" or \"output_tokens\" (or both)."),
        ("{\"arrival\": 1, \"prompt_tokens\": 5, \"max_tokens\": 5, \"cache_key\": 7}\n", ".jsonl", ":1: \"cache_key\" must be a string."),
        ("{\"arrival\": 1, \"prompt_tokens\": 5, \"max_tokens\": 5, \"tenant\": [1]}\n", ".jsonl", ":1: \"tenant\" must be a string."),
        ("{\"arrival\": 1, \"prompt_tokens\": 5, \"max_tokens\": 5, \"repeatable\": 1}\n", ".jsonl", ":1: \"repeatable\" must be true or false."),
        ("{\"arrival\": 1, \"prompt_tokens\": 5, \"max_tokens\": 5, \"deadline\": 0}\n", ".jsonl",
         ":1: \"deadline\" must be a number of seconds above 0 and at most 604800 (a week)."),
        ("{\"arrival\": 1, \"prompt_tokens\": 5, \"max_tokens\": 5, \"deadline\": \"soon\"}\n", ".jsonl",
         ":1: \"deadline\" must be a number of seconds above 0 and at most 604800 (a week)."),
        ("{\"arrival\": 1, \"prompt_tokens\": 5, \"max_tokens\": 5, \"deadline\": 604800.5}\n", ".jsonl",
         ":1: \"deadline\" must be a number of seconds above 0 and at most 604800 (a week)."),
        ("{\"arrival\": 1, \"prompt_tokens\": 5, \"max_tokens\": 5, \"cache_key\": \"\(String(repeating: "k", count: 1_001))\"}\n", ".jsonl",
         ":1: \"cache_key\" is 1001 bytes; it must be at most 1000 (a digest of the request will do)."),
    ])
    func malformed(_ text: String, _ kind: String, _ problem: String) {
        withTemporaryFile(text, suffix: kind == ".csv" ? ".csv" : ".jsonl") { path in
            let message = errorMessage { () throws(HeadroomError) in
                switch kind {
                case ".csv":
                    var reader = try AzureTraceReader(path: path)
                    _ = try readAll(&reader)
                default:
                    var reader = try JSONLTraceReader(path: path, format: kind == ".mooncake" ? .mooncake : .native)
                    _ = try readAll(&reader)
                }
            }
            #expect(message == path + problem)
        }
    }

    @Test("A missing trace file says so")
    func missingFile() {
        #expect(errorMessage { () throws(HeadroomError) in _ = try AzureTraceReader(path: "/nonexistent/trace.csv") }
            == "Cannot open trace file '/nonexistent/trace.csv': No such file or directory. Check the path.")
    }

    @Test("Transforms compress time, cut a window and assign priorities")
    func transform() throws {
        var reader = try TransformedWorkload(
            try AzureTraceReader(path: fixture("azure2023_code_head.csv")),
            transform: WorkloadTransform(timeScale: 2, startSeconds: 0.05, limit: 3, model: "m", priorities: [0, 1])
        )
        let requests = try readAll(&reader)
        // Rows at 52 ms, 98.189 ms and 140.684 ms from the first, less 50 ms, halved.
        #expect(requests.map(\.arrival) == [Instant(nanoseconds: 1_000_000), Instant(nanoseconds: 24_094_500), Instant(nanoseconds: 45_342_000)])
        #expect(requests.map(\.priority) == [0, 1, 0] && requests.allSatisfy { $0.model == "m" })
    }

    @Test("Synthetic workloads repeat for a seed and keep their mean rate", arguments: [
        SyntheticWorkload.Arrivals.poisson, .bursty(meanOn: 0.5, meanOff: 1.5),
    ])
    func synthetic(_ arrivals: SyntheticWorkload.Arrivals) {
        // 100,000 requests at 50 a second: about 1,000 on/off cycles when bursty.
        var first = SyntheticWorkload(count: 100_000, requestsPerSecond: 50, arrivals: arrivals, seed: 3)
        var second = SyntheticWorkload(count: 100_000, requestsPerSecond: 50, arrivals: arrivals, seed: 3)
        var last = Instant.zero
        var prompts: [Int] = []
        while let a = first.next(), let b = second.next() {
            #expect(a == b && a.arrival >= last)
            last = a.arrival
            prompts.append(a.promptTokens)
        }
        #expect(prompts.count == 100_000)
        let rate = 100_000 / (Double(last.nanoseconds) / 1e9)
        #expect(abs(rate - 50) / 50 < 0.1, "rate \(rate)")
        #expect(abs(Double(prompts.sorted()[50_000]) - 1_020) / 1_020 < 0.05)
    }

    @Test("A synthetic workload's deferrable share asks for batch, or gives the deferrable deadline instead; the rest carry the workload's deadline")
    func deferrableShare() {
        func all(_ workload: SyntheticWorkload) -> [SimulatedRequest] {
            var workload = workload
            return Array(sequence(state: ()) { _ in workload.next() })
        }
        let asking = all(SyntheticWorkload(count: 2_000, requestsPerSecond: 50, batchShare: 0.3, deadline: .seconds(60), seed: 5))
        let byDeadline = all(SyntheticWorkload(count: 2_000, requestsPerSecond: 50, batchShare: 0.3, deadline: .seconds(60),
                                               deferrableDeadline: .seconds(86_400), seed: 5))
        let plain = all(SyntheticWorkload(count: 2_000, requestsPerSecond: 50, seed: 5))
        let deferrable = asking.indices.filter { asking[$0].batch == true }
        #expect(abs(deferrable.count - 600) < 60)
        #expect(asking.allSatisfy { $0.deadline == .seconds(60) && ($0.batch == true || $0.batch == nil) })
        // The same requests are deferrable both ways: they give a day's deadline in place of asking.
        #expect(byDeadline.indices.filter { byDeadline[$0].deadline == .seconds(86_400) } == deferrable)
        #expect(byDeadline.allSatisfy { $0.batch == nil && ($0.deadline == .seconds(86_400) || $0.deadline == .seconds(60)) })
        // Deadlines draw nothing: arrivals and sizes are those of the share that asks, and a workload with neither has neither.
        #expect(zip(asking, byDeadline).allSatisfy { $0.arrival == $1.arrival && $0.promptTokens == $1.promptTokens && $0.outputTokens == $1.outputTokens })
        #expect(plain.allSatisfy { $0.batch == nil && $0.deadline == nil })
    }

    @Test("Bursts with on periods of no length or less last a millisecond, so a workload still ends")
    func degenerateBursts() {
        var workload = SyntheticWorkload(count: 1_000, requestsPerSecond: 50, arrivals: .bursty(meanOn: -1, meanOff: .nan), seed: 3)
        #expect(workload.arrivals == .bursty(meanOn: 0.001, meanOff: 0))
        var produced = 0
        while workload.next() != nil { produced += 1 }
        #expect(produced == 1_000)
    }

    @Test("max_tokens from a factor rounds up, and stays finite for any factor or output", arguments: [
        (MaxTokensRule.outputTimes(1.25), 129, 162), (.outputTimes(1.25), 128, 160), (.outputTimes(0.5), 10, 10),
        (.fixed(300), 129, 300), (.fixed(300), 400, 400),
        (.outputTimes(1e300), 1, 1_000_000_000_000_000), (.outputTimes(.nan), 7, 7),
        (.outputTimes(2), .max, 1_000_000_000_000_000),
    ])
    func maxTokensRule(_ rule: MaxTokensRule, _ output: Int, _ expected: Int) {
        #expect(rule.maxTokens(forOutput: output) == expected)
    }
}
