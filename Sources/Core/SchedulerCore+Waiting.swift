extension SchedulerCore {
    /// Puts `job` in `queue`, and in the index of waiting jobs by size when the scheduler keeps one.
    mutating func enqueue<Q: QueuePolicy>(_ job: QueuedJob, _ queue: inout Q) {
        let id = job.id
        queue.enqueue(job)
        if keepsWaitingBySize == nil { keepsWaitingBySize = backfillsBySize && queue.ordersBySubmission }
        guard keepsWaitingBySize == true else { return }
        if jobs[id.slot].smallestCharge == 0 {
            jobs[id.slot].smallestCharge = chargeRepresentatives.reduce(Int.max) { min($0, reservation(slot: id.slot, on: $1)) }
        }
        waiting.insert(id, sequence: job.sequence, charge: jobs[id.slot].smallestCharge)
    }

    /// Takes job `id`, just taken out of the queue, out of the index of waiting jobs by size.
    mutating func leftQueue(_ id: JobID) {
        guard keepsWaitingBySize == true else { return }
        waiting.remove(sequence: jobs[id.slot].sequence, charge: jobs[id.slot].smallestCharge)
    }
}
