import Foundation
import HeadroomCore

/// An engine's batch deployments at work: files forming, requests in batches under way, answers
/// kept for callers who come back, and the counts. The engine's actor owns it; the provider is
/// reached by ``BatchFileRun``s it starts.
struct BatchDesk: Sendable {
    /// A request in a forming file or a batch under way.
    struct Item: Sendable {
        let job: JobID
        let attempt: Int
        let customID: String
        /// Its caller's key (``BatchDesk/key(_:tenant:body:)``), if it has one.
        let key: String?
        let operation: ProviderOperation
        let model: String
        let line: [UInt8]
        /// What it holds under the deployment's enqueued-token cap.
        let tokens: Int
    }

    /// A request of a batch picked up after a restart: its caller's key (empty: none), and what
    /// it holds under its deployment's enqueued-token cap, which the scheduler did not dispatch.
    struct Recovered: Sendable {
        let key: String
        let deployment: DeploymentID
        let tokens: Int
    }

    /// Whether a job's request is still in a forming file (it may be taken out) or in a batch (it is paid for).
    enum Phase: Sendable {
        case forming, submitted
    }

    let deployments: [DeploymentID: BatchDeployment]
    let journal: BatchJournal?
    var former = BatchFormer<Item>()
    /// Requests in batches under way, by custom id.
    var sent: [String: Item] = [:]
    /// Jobs that accept batch by their caller's key, while the engine has them.
    var requests: [String: JobID] = [:]
    /// Requests of batches picked up after a restart, by custom id, and the tokens they hold by deployment.
    var recovered: [String: Recovered] = [:]
    var recoveredTokens: [DeploymentID: Int] = [:]
    /// The keys of recovered requests not yet answered.
    var pendingRecovered: Set<String> = []
    /// Whether the journal's batches have been picked up, and whether the batch work has stopped.
    var resumed = false
    var stopped = false
    /// Batches answered before a restart (``BatchJournal/answered``) by file name, and the file of each of
    /// their callers' keys: a caller who comes back gets its answer from the batch's files, fetched again.
    var answeredBatches: [String: BatchJournal.Answered] = [:]
    var answeredKeys: [String: String] = [:]
    /// Those fetches under way, by file name: each ends with `nil`, or the error that stopped it.
    var refetches: [String: Task<HeadroomError?, Never>] = [:]
    /// Callers waiting for the answer to a request another caller sent, or to a recovered request.
    var waiters = BatchWaiters()
    var mailbox: BatchMailbox
    var tally = BatchTally()
    /// The runs under way, by file name.
    var runs: [String: Task<Void, Never>] = [:]
    /// The timer that sends files whose age is up.
    var timer: Task<Void, Never>?
    var timerAt: Instant?
    /// This engine's mark in custom ids and file names: ids of two engines, or of one before and after a restart, never meet.
    private let mark = String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12))
    private var issued: UInt64 = 0

    init(deployments: [DeploymentID: BatchDeployment], journal: BatchJournal?, keptAnswerBytes: Int) {
        self.deployments = deployments
        self.journal = journal
        mailbox = BatchMailbox(maxBytes: keptAnswerBytes)
    }

    /// What a request is known by: its caller's request id within its tenant, so that two clients who
    /// choose the same idempotency key never meet, and with its body's digest, so that a key used again
    /// for another request names another request rather than giving the first one's answer (the journal
    /// records it so).
    static func key(_ requestID: String, tenant: String?, body: [UInt8]) -> String {
        var hash = SHA256()
        hash.update(body)
        let named = hash.finalize().hex + "/" + requestID
        guard let tenant else { return "/" + named }
        return "\(tenant.utf8.count):\(tenant)/\(named)"
    }

    /// A new custom id: unique in its file, across files, and across restarts.
    mutating func customID() -> String {
        issued += 1
        return "hr-\(mark)-\(issued)"
    }

    /// A new file name.
    mutating func fileName() -> String {
        issued += 1
        return "f-\(mark)-\(issued)"
    }

    /// The statistics now.
    var statistics: BatchStatistics {
        var statistics = tally.statistics
        statistics.forming = former.count
        statistics.inBatches = sent.count + recovered.count
        statistics.kept = mailbox.count
        return statistics
    }
}
