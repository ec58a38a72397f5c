import HeadroomCore

/// The batch deployments of a simulation, driven as the live engine drives them: jobs dispatched
/// to one wait in a forming file (``HeadroomCore/BatchFormer``), files go to a
/// ``MockBatchEndpoint`` by size or age, batches are polled with back-off
/// (``HeadroomCore/BatchPolling``), cancelled past their grace period, and each job is answered
/// from its batch's end: served, or unfinished and sent again synchronously.
struct SimulatedBatches {
    /// A job in a forming file: its prompt, which the endpoint's quota counts.
    struct Item: Sendable {
        let job: JobID
        let promptTokens: Int
    }

    /// A batch under way.
    private struct Running {
        let deployment: Int
        let number: Int
        let jobs: [JobID]
        var polling: BatchPolling
        var cancelledAt: Instant?
    }

    /// How a batch ended: each of its jobs served or not, in file order.
    struct Ending {
        let deployment: Int
        let jobs: [JobID]
        let served: Int
        let status: BatchStatus?
    }

    private var former = BatchFormer<Item>()
    private var endpoints: [Int: MockBatchEndpoint] = [:]
    private var rules: [Int: BatchRules] = [:]
    private var running: [Int: Running] = [:]
    /// The batch deployments' names by position, and back: a forming file is keyed by name.
    private var names: [Int: DeploymentID] = [:]
    private var positions: [DeploymentID: Int] = [:]
    private var issued = 0
    private(set) var tally = BatchTally()

    /// The bytes a request's line is taken to have: four a prompt token and the line's frame.
    static func lineBytes(promptTokens: Int) -> Int { min(max(0, promptTokens), Deployment.largestQuota) * 4 + 200 }

    init(deployments: [SimulatedDeployment], seed: UInt64) {
        for (index, deployment) in deployments.enumerated() {
            guard let batch = deployment.batch else { continue }
            endpoints[index] = MockBatchEndpoint(model: batch.model, deployment: index, scenarioSeed: seed)
            rules[index] = batch.rules
            names[index] = DeploymentID(deployment.id)
            positions[DeploymentID(deployment.id)] = index
        }
    }

    /// Whether deployment `d` is a batch one.
    func isBatch(_ d: Int) -> Bool { endpoints[d] != nil }

    /// When the oldest forming file must go.
    var nextDue: Instant? { former.nextDue }

    /// Puts `item` in deployment `d`'s forming file; returns the batches started (their numbers and first polls).
    mutating func add(_ item: Item, to d: Int, now: Instant) -> [(running: Int, poll: Instant)] {
        let key = BatchFormer<Item>.Key(deployment: names[d]!, endpoint: "/v1/chat/completions")
        return former.add(item, bytes: Self.lineBytes(promptTokens: item.promptTokens), to: key, rules: rules[d]!, now: now).map { submit($0, d, now) }
    }

    /// Sends the files whose age is up; returns the batches started.
    mutating func due(at now: Instant) -> [(running: Int, poll: Instant)] {
        former.due(at: now).map { submit($0, positions[$0.key.deployment]!, now) }
    }

    /// Polls batch `id` at `now`: the instant of the next poll, or how it ended.
    mutating func poll(_ id: Int, at now: Instant) -> (next: Instant?, ending: Ending?) {
        guard var batch = running[id], let endpoint = endpoints[batch.deployment], let rules = rules[batch.deployment] else { return (nil, nil) }
        let state = endpoint.state(of: batch.number, at: now)
        if state.status.isFinal {
            running[id] = nil
            tally.ended(state.status, after: Double((now - batch.polling.submittedAt).nanoseconds) / 1e9)
            return (nil, Ending(deployment: batch.deployment, jobs: batch.jobs, served: state.status == .failed ? 0 : state.served, status: state.status))
        }
        if batch.polling.isOverdue(at: now) {
            if let cancelledAt = batch.cancelledAt {
                if now - cancelledAt >= rules.cancelWait {
                    running[id] = nil
                    tally.ended(.cancelling, after: Double((now - batch.polling.submittedAt).nanoseconds) / 1e9)
                    return (nil, Ending(deployment: batch.deployment, jobs: batch.jobs, served: 0, status: nil))
                }
            } else {
                batch.cancelledAt = now
                endpoints[batch.deployment]!.cancel(batch.number, at: now)
            }
        }
        batch.polling.polled(at: now)
        running[id] = batch
        return (batch.polling.nextPoll, nil)
    }

    /// Notes how a batch's job was answered: from its output, or sent again synchronously.
    mutating func answered(served: Bool) {
        tally.count { served ? ($0.answered += 1) : ($0.resent += 1) }
    }

    private mutating func submit(_ file: BatchFormer<Item>.File, _ d: Int, _ now: Instant) -> (running: Int, poll: Instant) {
        tally.formed(requests: file.items.count)
        tally.count { $0.submitted += 1 }
        let prompt = file.items.reduce(0) { $0.addingSaturating($1.promptTokens) }
        let number = endpoints[d]!.create(requests: file.items.count, promptTokens: prompt, now: now)
        issued += 1
        let polling = BatchPolling(submittedAt: now, rules: rules[d]!)
        running[issued] = Running(deployment: d, number: number, jobs: file.items.map(\.job), polling: polling)
        return (issued, polling.nextPoll)
    }
}
