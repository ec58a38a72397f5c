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
        let requestID: String?
        let operation: ProviderOperation
        let model: String
        let line: [UInt8]
        /// What it holds under the deployment's enqueued-token cap.
        let tokens: Int
    }

    /// A request of a batch picked up after a restart: its caller's request id (empty: none), and what
    /// it holds under its deployment's enqueued-token cap, which the scheduler did not dispatch.
    struct Recovered: Sendable {
        let requestID: String
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
    /// Jobs that accept batch by their caller's request id, while the engine has them.
    var requests: [String: JobID] = [:]
    /// Requests of batches picked up after a restart, by custom id, and the tokens they hold by deployment.
    var recovered: [String: Recovered] = [:]
    var recoveredTokens: [DeploymentID: Int] = [:]
    /// The request ids of recovered requests not yet answered.
    var pendingRecovered: Set<String> = []
    /// Whether the journal's batches have been picked up, and whether the batch work has stopped.
    var resumed = false
    var stopped = false
    /// Callers waiting on a recovered request: each is handed its answer, or `nil` to send it anew.
    var waiting: [String: [CheckedContinuation<Result<APIAnswer, HeadroomError>?, Never>]] = [:]
    var mailbox = BatchMailbox()
    var tally = BatchTally()
    /// The runs under way, by file name.
    var runs: [String: Task<Void, Never>] = [:]
    /// The timer that sends files whose age is up.
    var timer: Task<Void, Never>?
    var timerAt: Instant?
    /// This engine's mark in custom ids and file names: ids of two engines, or of one before and after a restart, never meet.
    private let mark = String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12))
    private var issued: UInt64 = 0

    init(deployments: [DeploymentID: BatchDeployment], journal: BatchJournal?) {
        self.deployments = deployments
        self.journal = journal
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
