import Foundation
import Synchronization
import HeadroomCore

/// An append-only record of the batches an engine has paid for, so that after a restart it polls
/// them again and delivers what it can, and submits nothing twice.
///
/// One JSON object a line: `uploaded` (a file's requests: custom ids, the callers' request ids),
/// `submitted` (its batch id), then `answered` (the output and error files that hold its answers)
/// or `ended` (nothing to answer from). Each record is written and synced before the step it
/// records is relied on. Opening the journal reads what is still open, and the batches answered
/// within ``answersKeptFor`` (a caller who comes back after a restart gets its answer from their
/// files), and rewrites the file with only those (through a new file renamed over the old): each
/// start begins with what is under way, and a run adds three records a file, the first listing its
/// requests.
///
/// ```swift
/// let journal = try BatchJournal(path: "/var/lib/headroom/batches.jsonl")
/// for batch in journal.open { /* poll batch.batchID again */ }
/// ```
public final class BatchJournal: Sendable {
    /// One request in a recorded file.
    public struct Entry: Hashable, Sendable, Codable {
        /// Its id in the file.
        public var customID: String
        /// The caller's request id, by which a caller who comes back gets its answer.
        public var requestID: String?
        /// `chat/completions` or `embeddings`.
        public var operation: String
        /// The model the caller asked for.
        public var model: String
        /// The tokens it holds under its deployment's enqueued-token cap (absent in older journals: 0).
        public var tokens: Int?

        /// Creates an entry.
        public init(customID: String, requestID: String?, operation: String, model: String, tokens: Int? = nil) {
            self.customID = customID
            self.requestID = requestID
            self.operation = operation
            self.model = model
            self.tokens = tokens
        }
    }

    /// A recorded file and, once created, its batch.
    public struct Batch: Hashable, Sendable, Codable {
        /// The engine's own name for the file (unique, never reused).
        public var file: String
        /// The batch deployment.
        public var deployment: String
        /// The endpoint its lines name.
        public var endpoint: String
        /// The provider's id for the uploaded file.
        public var inputFileID: String
        /// When it was uploaded, in seconds since 1970.
        public var uploadedAt: Double
        /// Its requests.
        public var entries: [Entry]
        /// The batch's id, once created.
        public var batchID: String?

        /// Creates a record.
        public init(file: String, deployment: String, endpoint: String, inputFileID: String, uploadedAt: Double, entries: [Entry], batchID: String? = nil) {
            self.file = file
            self.deployment = deployment
            self.endpoint = endpoint
            self.inputFileID = inputFileID
            self.uploadedAt = uploadedAt
            self.entries = entries
            self.batchID = batchID
        }
    }

    /// A batch whose answers came, and the provider's files that hold them.
    public struct Answered: Hashable, Sendable, Codable {
        /// The batch, its requests and their callers' request ids.
        public var batch: Batch
        /// The provider's ids of its output and error files.
        public var outputFileID: String?
        public var errorFileID: String?
        /// When its answers came, in seconds since 1970.
        public var answeredAt: Double
    }

    private struct Record: Codable {
        var type: String
        var file: String
        var batch: Batch?
        var batchID: String?
        var outputFileID: String?
        var errorFileID: String?
        var at: Double?
    }

    private let path: String
    private let handle: Mutex<FileHandle?>

    /// The batches recorded and not ended when the journal was opened.
    public let open: [Batch]
    /// The batches answered within ``answersKeptFor`` of the journal's opening, oldest first.
    public let answered: [Answered]

    /// How long the files of an answered batch are remembered: as long as an answer is kept for its caller.
    public static let answersKeptFor = 86_400.0

    /// The longest line read back: far more than a record of 100,000 requests with long ids.
    static let maxLineBytes = 64 << 20

    /// Opens (or creates) the journal at `path`, reading back what is still open and what was answered
    /// within ``answersKeptFor`` of `now` (seconds since 1970).
    ///
    /// - Throws: ``HeadroomError/Kind/invalidConfiguration`` when the file cannot be read or written.
    public init(path: String, now: Double = Date().timeIntervalSince1970) throws(HeadroomError) {
        self.path = path
        var batches: [String: Batch] = [:]
        var answered: [String: Answered] = [:]
        var order: [String] = []
        if let data = FileManager.default.contents(atPath: path) {
            // A line cut short by a crash, or not a record, is passed over: it recorded nothing relied on.
            for line in data.split(separator: UInt8(ascii: "\n")) where line.count <= Self.maxLineBytes {
                guard let record = try? JSONDecoder().decode(Record.self, from: line) else { continue }
                switch record.type {
                case "uploaded":
                    if let batch = record.batch, batches[record.file] == nil, answered[record.file] == nil {
                        batches[record.file] = batch
                        order.append(record.file)
                    }
                case "submitted": batches[record.file]?.batchID = record.batchID
                case "answered":
                    guard let batch = batches.removeValue(forKey: record.file), let at = record.at, now - at < Self.answersKeptFor else {
                        batches[record.file] = nil
                        continue
                    }
                    answered[record.file] = Answered(batch: batch, outputFileID: record.outputFileID, errorFileID: record.errorFileID, answeredAt: at)
                case "ended":
                    batches[record.file] = nil
                    answered[record.file] = nil
                default: continue
                }
            }
        }
        open = order.compactMap { batches[$0] }
        self.answered = order.compactMap { answered[$0] }
        let fresh = path + ".new"
        do {
            let encoder = JSONEncoder()
            var text = Data()
            for batch in open {
                text += try encoder.encode(Record(type: "uploaded", file: batch.file, batch: batch, batchID: nil)) + [UInt8(ascii: "\n")]
                if let id = batch.batchID { text += try encoder.encode(Record(type: "submitted", file: batch.file, batchID: id)) + [UInt8(ascii: "\n")] }
            }
            for done in self.answered {
                text += try encoder.encode(Record(type: "uploaded", file: done.batch.file, batch: done.batch)) + [UInt8(ascii: "\n")]
                text += try encoder.encode(Record(type: "answered", file: done.batch.file, outputFileID: done.outputFileID, errorFileID: done.errorFileID,
                                                  at: done.answeredAt)) + [UInt8(ascii: "\n")]
            }
            guard FileManager.default.createFile(atPath: fresh, contents: text) else { throw CocoaError(.fileWriteUnknown) }
            // rename(2) puts the new file in the old one's place at once: a crash leaves one or the other whole.
            guard rename(fresh, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            self.handle = Mutex(handle)
        } catch {
            throw HeadroomError(.invalidConfiguration, "Cannot write the batch journal '\(path)': \(error.localizedDescription)")
        }
    }

    /// Records an uploaded file and its requests, before its batch is created.
    public func uploaded(_ batch: Batch) throws {
        try append(Record(type: "uploaded", file: batch.file, batch: batch))
    }

    /// Records the batch made of `file`.
    public func submitted(_ file: String, batchID: String) throws {
        try append(Record(type: "submitted", file: file, batchID: batchID))
    }

    /// Records that `file`'s batch is over, with nothing to answer from.
    public func ended(_ file: String) throws {
        try append(Record(type: "ended", file: file))
    }

    /// Records that `file`'s batch is over and its answers are in the provider's files `outputFileID`
    /// and `errorFileID`, as of `at` (seconds since 1970).
    public func answered(_ file: String, outputFileID: String?, errorFileID: String?, at: Double = Date().timeIntervalSince1970) throws {
        try append(Record(type: "answered", file: file, outputFileID: outputFileID, errorFileID: errorFileID, at: at))
    }

    private func append(_ record: Record) throws {
        let line = try JSONEncoder().encode(record) + [UInt8(ascii: "\n")]
        try handle.withLock { handle in
            guard let handle else { return }
            try handle.write(contentsOf: line)
            try handle.synchronize()
        }
    }

    deinit {
        handle.withLock { try? $0?.close() }
    }
}
