import HeadroomCore

/// Several instances of Headroom as one simulated client (see ``SimulatedSharing``):
/// requests go to the instances in turn; each instance's scheduler takes the shares
/// its ``ShareKeeper`` gives it from renewals against one ``ShareLeases`` record a
/// deployment, kept as the store keeps it. Jobs get identities of the cluster's own,
/// so that the instances' identities never meet.
struct ClusterClient<Queue: QueuePolicy, Allocation: AllocationPolicy>: SimulatedClient {
    /// A renewal's answer on its way back to an instance: grants, or `nil` when the store was out of reach.
    private struct Answer {
        var at: Int64
        var instance: Int
        var grants: [ShareKeeper.Grant]?
    }

    let sharing: SimulatedSharing
    private var instances: [Scheduler<Queue, Allocation>]
    private var keepers: [ShareKeeper]
    /// The store's record of each deployment, by the deployments' order.
    private var records: [ShareLeases]
    private let deployments: [DeploymentID]
    private var nextInstance = 0
    /// The cluster's identity of each instance's jobs, and the instance and identity of each of the cluster's.
    private var clusterIDs: [[JobID: JobID]]
    private var owners: [JobID: (instance: Int, id: JobID)] = [:]
    private var nextID: UInt64 = 0
    /// When each instance renews next, and when each asked to be woken.
    private var renewals: [Int64]
    private var wakeups: [Int64?]
    private var answers: [Answer] = []
    /// The outages whose end has passed: the store lost its record then.
    private var outagesOver = 0
    private var requestedWakeup: Int64?
    /// Each instance's actions, rewritten into the driver's.
    private var buffer: [SchedulerAction] = []

    /// `sharing.instances` schedulers, each made by `make` with `initialShare` set to what sharing starts with.
    init(sharing: SimulatedSharing, deployments: [DeploymentID], make: (SchedulerConfiguration) throws(HeadroomError) -> Scheduler<Queue, Allocation>,
         configuration: SchedulerConfiguration) throws(HeadroomError) {
        self.sharing = sharing
        self.deployments = deployments
        var told = configuration
        told.initialShare = sharing.sharesLimits ? 0 : 1
        var instances: [Scheduler<Queue, Allocation>] = []
        for index in 0 ..< sharing.instances {
            // Each its own random draws, as separate processes have.
            told.seed = configuration.seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
            instances.append(try make(told))
        }
        self.instances = instances
        keepers = Array(repeating: ShareKeeper(rules: sharing.rules, startedAt: .zero), count: sharing.instances)
        records = Array(repeating: ShareLeases(), count: deployments.count)
        clusterIDs = Array(repeating: [:], count: sharing.instances)
        // Renewals spread over the interval, the first at once.
        let interval = sharing.renewInterval.nanoseconds
        renewals = sharing.sharesLimits ? (0 ..< sharing.instances).map { Int64($0) * interval / Int64(sharing.instances) } : []
        wakeups = Array(repeating: nil, count: sharing.instances)
    }

    /// Renewals the store answered, those it did not, and the instances' fallbacks, in all.
    var totals: (renewals: Int, failures: Int, fallbacks: Int) {
        keepers.reduce((0, 0, 0)) { ($0.0 + $1.renewals, $0.1 + $1.failures, $0.2 + $1.fallbacks) }
    }

    mutating func submit(_ job: consuming Job, now: Instant, into actions: inout [SchedulerAction]) -> JobID {
        let instance = nextInstance
        nextInstance = (nextInstance + 1) % instances.count
        let id = JobID(rawValue: nextID)
        nextID += 1
        // What fell due first: a renewal after an idle spell comes before the job.
        advance(to: now, into: &actions)
        buffer.removeAll(keepingCapacity: true)
        let local = instances[instance].submit(job, now: now, into: &buffer)
        clusterIDs[instance][local] = id
        owners[id] = (instance, local)
        forward(from: instance, into: &actions)
        requestWakeup(now: now, into: &actions)
        return id
    }

    mutating func complete(_ id: JobID, outcome: AttemptOutcome, rateLimits: RateLimitObservation?, now: Instant,
                           into actions: inout [SchedulerAction]) {
        guard let (instance, local) = owners[id] else { return }
        advance(to: now, into: &actions)
        buffer.removeAll(keepingCapacity: true)
        instances[instance].complete(local, outcome: outcome, rateLimits: rateLimits, now: now, into: &buffer)
        forward(from: instance, into: &actions)
        requestWakeup(now: now, into: &actions)
    }

    mutating func tick(now: Instant, into actions: inout [SchedulerAction]) {
        advance(to: now, into: &actions)
        requestWakeup(now: now, into: &actions)
    }

    /// Does what falls due by `now`: renewals start, answers arrive, instances wake.
    private mutating func advance(to now: Instant, into actions: inout [SchedulerAction]) {
        let time = now.nanoseconds
        while outagesOver < sharing.outages.count, sharing.outages[outagesOver].upperBound.nanoseconds <= time {
            // The store comes back without its record.
            records = Array(repeating: ShareLeases(), count: deployments.count)
            outagesOver += 1
        }
        let interval = sharing.renewInterval.nanoseconds
        for instance in renewals.indices where renewals[instance] <= time {
            // One long overdue (nothing woke the cluster while it was idle) happens now.
            let at = renewals[instance].addingSaturating(interval) <= time ? time : renewals[instance]
            renew(instance, at: at)
            renewals[instance] = at.addingSaturating(interval)
        }
        var index = 0
        while index < answers.count {
            guard answers[index].at <= time else {
                index += 1
                continue
            }
            let answer = answers.remove(at: index)
            apply(answer, now: now, into: &actions)
        }
        for instance in instances.indices {
            guard let wakeup = wakeups[instance], wakeup <= time else { continue }
            wakeups[instance] = nil
            buffer.removeAll(keepingCapacity: true)
            instances[instance].tick(now: now, into: &buffer)
            forward(from: instance, into: &actions)
        }
    }

    /// Asks to be woken for what falls due next: an answer, an instance's wake-up, and a renewal while
    /// any instance has work (an idle cluster renews when work comes, so a run ends when its work does).
    private mutating func requestWakeup(now: Instant, into actions: inout [SchedulerAction]) {
        var next = (answers.map(\.at) + wakeups.compactMap { $0 }).min()
        if instances.contains(where: { $0.activeCount > 0 }), let renewal = renewals.min() { next = min(next ?? .max, renewal) }
        if let next, next != requestedWakeup {
            requestedWakeup = next
            actions.append(.scheduleWakeup(at: Instant(nanoseconds: max(next, now.nanoseconds))))
        }
    }

    /// `instance` renews at `time`: the store answers half a round trip later (by then holding the
    /// record), the answer arriving after the round trip; out of reach, the instance gives up after its timeout.
    private mutating func renew(_ instance: Int, at time: Int64) {
        let reports = ShareKeeper.reports(for: instances[instance].snapshot(now: Instant(nanoseconds: time)))
        let atStore = time.addingSaturating(sharing.roundTrip.nanoseconds / 2)
        guard !sharing.outages.contains(where: { $0.contains(.nanoseconds(atStore)) }) else {
            answers.append(Answer(at: time.addingSaturating(sharing.timeout.nanoseconds), instance: instance, grants: nil))
            return
        }
        let milliseconds = atStore / 1_000_000
        let grants = reports.enumerated().map { d, report in
            let heldUntil = report.holdFor > .zero ? milliseconds + report.holdFor.nanoseconds / 1_000_000 : 0
            let share = records[d].renew("instance-\(instance)", holding: report.holding, occupancy: report.occupancy, wantsMore: report.wantsMore,
                                         heldUntil: heldUntil, now: milliseconds, rules: sharing.rules)
            return ShareKeeper.Grant(deployment: report.deployment, share: share,
                                     holdFor: .milliseconds(max(0, records[d].heldUntil - milliseconds)))
        }
        answers.append(Answer(at: time.addingSaturating(sharing.roundTrip.nanoseconds), instance: instance, grants: grants))
    }

    /// Gives an instance's scheduler what a renewal's answer (or its failure) means.
    private mutating func apply(_ answer: Answer, now: Instant, into actions: inout [SchedulerAction]) {
        let instance = answer.instance
        let changes = if let grants = answer.grants {
            keepers[instance].renewed(grants, at: now)
        } else {
            keepers[instance].failed(deployments, at: now).changes
        }
        for change in changes {
            buffer.removeAll(keepingCapacity: true)
            switch change {
            case .share(let share, let deployment): instances[instance].share(share, for: deployment, now: now, into: &buffer)
            case .hold(let deployment, let duration): instances[instance].hold(deployment, until: now + duration, now: now, into: &buffer)
            }
            forward(from: instance, into: &actions)
        }
    }

    /// Passes `buffer`, an instance's actions, on in the cluster's identities; keeps its wake-ups.
    private mutating func forward(from instance: Int, into actions: inout [SchedulerAction]) {
        for action in buffer {
            switch action {
            case .dispatch(let local, let deployment, let attempt):
                guard let id = clusterIDs[instance][local] else { continue }
                actions.append(.dispatch(id, to: deployment, attempt: attempt))
            case .finish(let local, let result, let account):
                guard let id = clusterIDs[instance].removeValue(forKey: local) else { continue }
                owners[id] = nil
                actions.append(.finish(id, result, account))
            case .scheduleWakeup(let at):
                wakeups[instance] = at.nanoseconds
                requestedWakeup = nil
            case .deploymentDisabled:
                actions.append(action)
            }
        }
    }
}
