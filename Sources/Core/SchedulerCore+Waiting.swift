extension SchedulerCore {
    /// Puts job `id`, whose record is `record`, in `queue` and in the index of waiting jobs by size.
    mutating func enqueue<Q: QueuePolicy>(_ id: JobID, _ record: JobRecord, _ queue: inout Q) {
        queue.enqueue(record.queued(as: id))
        waiting.insert(id, sequence: record.sequence, charge: record.smallestCharge)
    }

    /// Takes job `id`, just taken out of the queue, out of the index of waiting jobs by size.
    mutating func leftQueue(_ id: JobID) {
        waiting.remove(sequence: jobs[id.slot].sequence, charge: jobs[id.slot].smallestCharge)
    }
}
