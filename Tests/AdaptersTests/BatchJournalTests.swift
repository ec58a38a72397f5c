import Foundation
import HeadroomAdapters
import HeadroomCore
import Testing

/// The journal of batches under way: what a restart reads back.
@Suite("Batch journal")
struct BatchJournalTests {
    func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString).jsonl").path
    }

    func batch(_ file: String) -> BatchJournal.Batch {
        BatchJournal.Batch(file: file, deployment: "batch", endpoint: "/v1/chat/completions", inputFileID: "in-\(file)", uploadedAt: 100,
                           entries: [.init(customID: "\(file)-1", requestID: "r1", operation: "chat/completions", model: "m")], batchID: nil)
    }

    @Test("Batches recorded and not ended are read back, with their batch ids; ended ones are dropped")
    func readsBackWhatIsOpen() throws {
        let path = path()
        do {
            let journal = try BatchJournal(path: path)
            #expect(journal.open.isEmpty)
            try journal.uploaded(batch("a"))
            try journal.uploaded(batch("b"))
            try journal.submitted("a", batchID: "batch_1")
            try journal.uploaded(batch("c"))
            try journal.ended("b")
        }
        let reopened = try BatchJournal(path: path)
        #expect(reopened.open.map(\.file) == ["a", "c"])
        #expect(reopened.open.map(\.batchID) == ["batch_1", nil])
        #expect(reopened.open[0].entries[0].requestID == "r1")
    }

    @Test("A line cut short by a crash is passed over, and opening rewrites the file with what is open only")
    func survivesATornLine() throws {
        let path = path()
        do {
            let journal = try BatchJournal(path: path)
            try journal.uploaded(batch("a"))
            try journal.uploaded(batch("b"))
            try journal.ended("a")
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Array(#"{"type":"submitted","file":"b","bat"#.utf8))
        try handle.close()
        let reopened = try BatchJournal(path: path)
        #expect(reopened.open.map(\.file) == ["b"] && reopened.open[0].batchID == nil)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
    }

    @Test("Batches answered are read back with their files for a day from their answers, through each rewrite, then dropped")
    func answeredForADay() throws {
        let path = path()
        do {
            let journal = try BatchJournal(path: path, now: 1_000)
            for file in ["a", "b", "c"] {
                try journal.uploaded(batch(file))
                try journal.submitted(file, batchID: "batch_\(file)")
            }
            try journal.answered("a", outputFileID: "out-a", errorFileID: nil, at: 1_000)
            try journal.answered("b", outputFileID: "out-b", errorFileID: "err-b", at: 50_000)
            try journal.ended("c")
        }
        let day = BatchJournal.answersKeptFor
        let reopened = try BatchJournal(path: path, now: 1_000 + day - 1)
        #expect(reopened.open.isEmpty)
        #expect(reopened.answered.map(\.batch.file) == ["a", "b"])
        #expect(reopened.answered.map(\.outputFileID) == ["out-a", "out-b"] && reopened.answered.map(\.errorFileID) == [nil, "err-b"])
        #expect(reopened.answered[1].answeredAt == 50_000 && reopened.answered[1].batch.entries[0].requestID == "r1")
        // A day after its answers, "a" is forgotten; "b" stays, rewritten as it was.
        let later = try BatchJournal(path: path, now: 1_000 + day)
        #expect(later.answered.map(\.batch.file) == ["b"] && later.answered[0].errorFileID == "err-b")
        #expect(try BatchJournal(path: path, now: 50_000 + day).answered.isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8).isEmpty)
    }

    @Test("A journal that cannot be written is refused at once, naming the file")
    func refusesAnUnwritablePath() {
        #expect(throws: HeadroomError.self) { try BatchJournal(path: "/proc/headroom/batches.jsonl") }
    }
}
