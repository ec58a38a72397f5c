import HeadroomCore
import Testing

@testable import HeadroomAdapters

@Suite("Answers kept under request ids")
struct BatchMailboxTests {
    /// An answer whose body is `bytes` bytes of `fill`.
    func answer(_ fill: UInt8, bytes: Int = 100) -> Result<APIAnswer, HeadroomError> {
        .success(APIAnswer(head: AnswerHead(deployment: "batch", attempt: 1, queuedFor: .zero, headers: [:]), body: Array(repeating: fill, count: bytes),
                           usage: Usage(promptTokens: 1, completionTokens: 1)))
    }

    func body(_ result: Result<APIAnswer, HeadroomError>?) -> [UInt8]? {
        try? result?.get().body
    }

    let start = Instant(nanoseconds: 0)
    /// What an answer of 100 bytes under a one-character key holds, as the mailbox counts it (its body, its key, 64 more).
    let size = 100 + 1 + 64

    @Test("Every caller who comes back with a key gets the same answer, whether or not one took it before")
    func sameAnswerOnEveryReturn() {
        var mailbox = BatchMailbox(maxBytes: 1 << 20)
        mailbox.keep(answer(1), for: "a", taken: true, now: start)
        mailbox.keep(answer(2), for: "b", taken: false, now: start)
        for _ in 1 ... 3 {
            #expect(body(mailbox.take("a", now: start + .seconds(60))) == Array(repeating: 1, count: 100))
            #expect(body(mailbox.take("b", now: start + .seconds(60))) == Array(repeating: 2, count: 100))
        }
        #expect(mailbox.take("c", now: start) == nil)
        #expect(mailbox.count == 2)
    }

    @Test("An answer is kept for a day, not a moment longer")
    func keptForADay() {
        var mailbox = BatchMailbox(maxBytes: 1 << 20)
        mailbox.keep(answer(1), for: "a", taken: false, now: start)
        #expect(body(mailbox.take("a", now: start + BatchMailbox.keptFor)) != nil)
        #expect(mailbox.take("a", now: start + BatchMailbox.keptFor + .nanoseconds(1)) == nil)
        #expect(mailbox.count == 0 && mailbox.bytes == 0)
    }

    @Test("Past its bytes, answers a caller took go first, oldest first, then untaken ones, oldest first")
    func takenAnswersGoFirst() throws {
        var mailbox = BatchMailbox(maxBytes: 4 * size)
        mailbox.keep(answer(1), for: "1", taken: false, now: start)
        mailbox.keep(answer(2), for: "2", taken: true, now: start)
        mailbox.keep(answer(3), for: "3", taken: false, now: start)
        mailbox.keep(answer(4), for: "4", taken: false, now: start)
        #expect(mailbox.bytes == 4 * size)
        // "3" is taken now: it goes before "1", which no caller has had.
        _ = mailbox.take("3", now: start)
        mailbox.keep(answer(5), for: "5", taken: false, now: start)
        #expect(mailbox.take("2", now: start) == nil)
        mailbox.keep(answer(6), for: "6", taken: false, now: start)
        #expect(mailbox.take("3", now: start) == nil)
        mailbox.keep(answer(7), for: "7", taken: false, now: start)
        #expect(mailbox.take("1", now: start) == nil)
        #expect(["4", "5", "6", "7"].allSatisfy { mailbox.take($0, now: start) != nil })
        #expect(mailbox.count == 4 && mailbox.bytes == 4 * size)
    }

    @Test("An answer larger than all the room is not kept, and keeping a key again replaces its answer")
    func tooLargeAndReplaced() {
        var mailbox = BatchMailbox(maxBytes: 1_000)
        mailbox.keep(answer(1, bytes: 2_000), for: "big", taken: false, now: start)
        #expect(mailbox.count == 0 && mailbox.bytes == 0)
        mailbox.keep(answer(1), for: "a", taken: false, now: start)
        mailbox.keep(answer(2, bytes: 50), for: "a", taken: false, now: start)
        #expect(body(mailbox.take("a", now: start)) == Array(repeating: 2, count: 50))
        #expect(mailbox.count == 1 && mailbox.bytes == 50 + 1 + 64)
    }

    @Test("A key kept again stands in line as the newest")
    func keptAgainIsNewest() {
        var mailbox = BatchMailbox(maxBytes: 2 * size)
        mailbox.keep(answer(1), for: "1", taken: false, now: start)
        mailbox.keep(answer(2), for: "2", taken: false, now: start)
        mailbox.keep(answer(3), for: "1", taken: false, now: start)
        mailbox.keep(answer(4), for: "4", taken: false, now: start)
        #expect(mailbox.take("2", now: start) == nil)
        #expect(body(mailbox.take("1", now: start)) == Array(repeating: 3, count: 100))
        #expect(body(mailbox.take("4", now: start)) == Array(repeating: 4, count: 100))
    }

    @Test("Keys kept, taken and replaced many times: the bytes and counts stay exact, and at most the bound is kept")
    func manyKeys() {
        // Two-character keys.
        let size = self.size + 1
        var mailbox = BatchMailbox(maxBytes: 50 * size)
        var generator = SeededRandom(seed: 7)
        for step in 0 ..< 5_000 {
            let key = String(10 + Int(generator.next() % 90))
            if generator.next() % 3 == 0 {
                _ = mailbox.take(key, now: start)
            } else {
                mailbox.keep(answer(UInt8(step % 256)), for: key, taken: generator.next() % 2 == 0, now: start)
            }
            #expect(mailbox.bytes == mailbox.count * size && mailbox.count <= 50)
        }
    }
}
