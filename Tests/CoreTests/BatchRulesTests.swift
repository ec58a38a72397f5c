import HeadroomCore
import Testing

/// Forming batch files, polling submitted batches, and routing to batch: the rules both drivers follow.
@Suite("Batch rules")
struct BatchRulesTests {
    let chat = BatchFormer<Int>.Key(deployment: "batch", endpoint: "/v1/chat/completions")
    let embeddings = BatchFormer<Int>.Key(deployment: "batch", endpoint: "/v1/embeddings")

    func rules(requests: Int = 3, bytes: Int = 1_000, age: Duration = .seconds(10)) -> BatchRules {
        var rules = BatchRules()
        rules.maxRequests = requests
        rules.maxBytes = bytes
        rules.maxAge = age
        return rules
    }

    @Test("A file goes when it holds the most requests allowed")
    func flushesOnCount() {
        var former = BatchFormer<Int>()
        #expect(former.add(1, bytes: 10, to: chat, rules: rules(), now: at(0)).isEmpty)
        #expect(former.add(2, bytes: 10, to: chat, rules: rules(), now: at(1)).isEmpty)
        let files = former.add(3, bytes: 10, to: chat, rules: rules(), now: at(2))
        #expect(files.map(\.items) == [[1, 2, 3]])
        #expect(files.map(\.bytes) == [30])
        #expect(former.count == 0 && former.nextDue == nil)
    }

    @Test("A request that would overfill a file sends the file and opens the next")
    func flushesBeforeOverfilling() {
        var former = BatchFormer<Int>()
        _ = former.add(1, bytes: 600, to: chat, rules: rules(), now: at(0))
        let files = former.add(2, bytes: 600, to: chat, rules: rules(), now: at(1))
        #expect(files.map(\.items) == [[1]])
        #expect(former.count == 1)
        #expect(former.nextDue == at(11))
    }

    @Test("A file goes at its age counted from its first request, however steady the traffic")
    func ageFlushFiresUnderSteadyLoad() {
        var former = BatchFormer<Int>()
        var sent: [[Int]] = []
        var item = 0
        // One request every second, forever below the count and byte limits of a large file.
        for second in 0 ..< 35 {
            if let due = former.nextDue, due <= at(Double(second)) { sent += former.due(at: at(Double(second))).map(\.items) }
            sent += former.add(item, bytes: 1, to: chat, rules: rules(requests: 1_000), now: at(Double(second))).map(\.items)
            item += 1
        }
        #expect(sent == [Array(0 ..< 10), Array(10 ..< 20), Array(20 ..< 30)])
    }

    @Test("Each endpoint of a deployment forms its own file, and a removed request leaves its file")
    func filesPerEndpoint() {
        var former = BatchFormer<Int>()
        _ = former.add(1, bytes: 5, to: chat, rules: rules(), now: at(0))
        _ = former.add(2, bytes: 5, to: embeddings, rules: rules(), now: at(1))
        _ = former.add(3, bytes: 5, to: chat, rules: rules(), now: at(2))
        let removed = former.remove(where: { $0 == 3 }, bytes: { _ in 5 })
        let again = former.remove(where: { $0 == 3 }, bytes: { _ in 5 })
        #expect(removed && !again)
        let files = former.due(at: at(11))
        #expect(files.map(\.key) == [chat, embeddings])
        #expect(files.map(\.items) == [[1], [2]])
        #expect(files.map(\.bytes) == [5, 5])
    }

    @Test("Polls back off by half again each time, up to the longest wait, and stop at the grace period's end")
    func pollingBacksOff() {
        var rules = BatchRules()
        rules.pollInterval = .seconds(60)
        rules.maxPollInterval = .seconds(120)
        rules.gracePeriod = .seconds(400)
        var polling = BatchPolling(submittedAt: at(0), rules: rules)
        var polls: [Instant] = []
        while !polling.isOverdue(at: polling.nextPoll) {
            polls.append(polling.nextPoll)
            polling.polled(at: polling.nextPoll)
        }
        #expect(polls == [at(60), at(150), at(270), at(390)])
        #expect(polling.nextPoll == at(400))
    }

    @Test("A request's own word wins, then a deadline that leaves the turnaround, then its client's setting",
          arguments: [
              (Bool?.some(false), true, Duration?.some(.seconds(200_000)), true, false),
              (nil, false, .seconds(200_000), true, true),
              (nil, false, .seconds(200_000), false, false),
              (nil, false, .seconds(3_600), true, false),
              (nil, true, nil, true, true),
              (.some(true), false, nil, false, true),
          ])
    func routing(asked: Bool?, clientDefault: Bool, deadline: Duration?, byDeadline: Bool, expected: Bool) {
        #expect(BatchRouting.acceptsBatch(asked: asked, clientDefault: clientDefault, deadline: deadline,
                                          expectedTurnaround: byDeadline ? .seconds(86_400) : nil) == expected)
    }

    @Test("A request's time limit: its deadline within the request time-out, after the longest grace period and cancel wait when it accepts batch")
    func timeLimits() {
        var short = BatchRules(), long = BatchRules()
        (short.gracePeriod, short.cancelWait, short.expectedTurnaround) = (.seconds(100), .seconds(10), .seconds(3_600))
        (long.gracePeriod, long.cancelWait, long.expectedTurnaround) = (.seconds(1_000), .seconds(60), .seconds(7_200))
        let rules = [short, long], timeout = Duration.seconds(600)
        #expect(BatchRouting.timeLimit(deadline: nil, acceptsBatch: false, rules: rules, requestTimeout: timeout) == .seconds(600))
        #expect(BatchRouting.timeLimit(deadline: nil, acceptsBatch: true, rules: rules, requestTimeout: timeout) == .seconds(1_660))
        #expect(BatchRouting.timeLimit(deadline: .seconds(30), acceptsBatch: true, rules: rules, requestTimeout: timeout) == .seconds(30))
        #expect(BatchRouting.timeLimit(deadline: .seconds(86_400), acceptsBatch: false, rules: rules, requestTimeout: timeout) == .seconds(600))
        #expect(BatchRouting.timeLimit(deadline: nil, acceptsBatch: true, rules: [], requestTimeout: timeout) == .seconds(600))
        #expect(BatchRouting.routingTurnaround(rules) == .seconds(3_600) && BatchRouting.routingTurnaround([]) == nil)
    }

    @Test("A deadline in seconds: above 0 and at most a week, rounded up to the millisecond", arguments: [
        (0.0001, Duration?.some(.milliseconds(1))), (1.2341, .milliseconds(1_235)), (604_800, .seconds(604_800)),
        (0, nil), (-1, nil), (604_800.001, nil), (.nan, nil), (.infinity, nil),
    ])
    func deadlines(seconds: Double, expected: Duration?) {
        #expect(BatchRouting.deadline(seconds: seconds) == expected)
    }

    @Test("Rules out of range are named")
    func problems() {
        var rules = BatchRules()
        #expect(rules.problem() == nil)
        rules.maxRequests = 0
        #expect(rules.problem() == "maxRequests is 0; it must be from 1 to 100,000.")
        rules = BatchRules()
        rules.maxPollInterval = .seconds(1)
        #expect(rules.problem()?.hasPrefix("maxPollInterval is 1.0 seconds; it must be from 60.0 seconds") == true)
    }
}
