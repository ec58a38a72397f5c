extension SchedulerCore {
    /// Puts `job` in `queue`, and in the index of waiting jobs by size when the scheduler keeps one.
    mutating func enqueue<Q: QueuePolicy>(_ job: QueuedJob, _ queue: inout Q) {
        queue.enqueue(job)
        earliestJoined = min(earliestJoined, job.sequence)
        if keepsWaitingBySize { indexBySize(job) }
    }

    /// Takes job `id`, just taken out of the queue, out of the index of waiting jobs by size.
    mutating func leftQueue(_ id: JobID) {
        guard keepsWaitingBySize else { return }
        waiting.remove(sequence: jobs[id.slot].sequence, charge: jobs[id.slot].smallestCharge)
    }

    /// Starts keeping the index of waiting jobs by size, with every job in `queue`.
    mutating func startIndexingBySize<Q: QueuePolicy>(_ queue: Q) {
        keepsWaitingBySize = true
        var position = 0
        while let job = queue.job(at: position) {
            if isLive(job.id) { indexBySize(job) }
            position += 1
        }
    }

    /// Adds `job` to the index by size, at its least charge over one deployment of each charging rule.
    private mutating func indexBySize(_ job: QueuedJob) {
        let slot = job.id.slot
        if jobs[slot].smallestCharge == 0 {
            jobs[slot].smallestCharge = chargeRepresentatives.reduce(Int.max) { min($0, reservation(slot: slot, on: $1)) }
        }
        waiting.insert(job.id, sequence: job.sequence, charge: jobs[slot].smallestCharge)
    }
}
