/// A double-ended queue of waiting jobs in submission order: the storage the
/// built-in queue policies share. Concrete rather than generic, so that the
/// policies' modules call code already specialized here.
package struct JobDeque: Sendable {
    private var jobs = Ring<QueuedJob>()

    package init() {}

    package var count: Int { jobs.count }
    package var isEmpty: Bool { jobs.isEmpty }

    /// The job `offset` places from the front.
    package subscript(offset: Int) -> QueuedJob { jobs[offset: offset] }

    /// Inserts keeping submission order: usually an append; a retried job goes back to its place.
    package mutating func insertInOrder(_ job: QueuedJob) {
        guard let last = jobs.last, last.sequence > job.sequence else {
            jobs.append(job)
            return
        }
        jobs.insert(job, atOffset: jobs.firstOffset { $0.sequence > job.sequence })
    }

    /// How many places from the front the job submitted `sequence`-th is, if it is here.
    package func offset(ofSequence sequence: UInt64) -> Int? {
        let offset = jobs.firstOffset { $0.sequence >= sequence }
        return offset < jobs.count && jobs[offset: offset].sequence == sequence ? offset : nil
    }

    /// Removes the job `offset` places from the front.
    package mutating func remove(at offset: Int) -> QueuedJob {
        jobs.remove(atOffset: offset)
    }

    /// Removes the job with `id`, searching from both ends at once: the jobs taken out by id are
    /// old ones giving up (at the front) and newcomers refused by a full queue (at the back).
    package mutating func remove(_ id: JobID) -> QueuedJob? {
        var front = 0, back = jobs.count - 1
        while front <= back {
            if jobs[offset: front].id == id { return jobs.remove(atOffset: front) }
            if jobs[offset: back].id == id { return jobs.remove(atOffset: back) }
            front += 1
            back -= 1
        }
        return nil
    }
}
