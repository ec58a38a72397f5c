/// The deployments serving one set of models, with the bounds that let most
/// jobs be found eligible everywhere without looking at each deployment.
struct EligibilityGroup: Sendable {
    let deployments: [Int]
    let smallestContextWindow: Int
    let smallestChargeLimit: Int
    let hasCustomCharge: Bool
}

/// What decides which deployments may serve a job: its models, and whether a batch deployment may.
struct EligibilityKey: Hashable, Sendable {
    let models: [String]
    let acceptsBatch: Bool
}

extension SchedulerCore {
    /// The deployments that could ever serve `job`, and, when there are none, why.
    mutating func eligibleDeployments(for job: Job) -> ([Int], String) {
        let group = eligibilityGroup(for: EligibilityKey(models: job.models, acceptsBatch: job.acceptsBatch))
        let size = JobSize(job)
        // No built-in rule charges more than the context or the prompt's characters.
        let chargeBound = max(size.contextTokens, size.promptCharacters ?? 0)
        if !group.hasCustomCharge && size.contextTokens <= group.smallestContextWindow
            && chargeBound <= group.smallestChargeLimit && !group.deployments.isEmpty {
            return (group.deployments, "")
        }
        return unusualEligibility(for: job, in: group, size)
    }

    /// ``eligibleDeployments(for:)`` when a deployment's window, quota or
    /// charge rule has to be checked one by one. (Out of line, as it is rare:
    /// the common case stays small.)
    @inline(never)
    private func unusualEligibility(for job: Job, in group: EligibilityGroup, _ size: JobSize) -> ([Int], String) {
        let eligible = group.deployments.filter { d in
            size.contextTokens <= states[d].contextWindow
                && (states[d].charge.reservation(for: size) ?? states[d].charge.reservation(for: job)) <= states[d].largestCharge
        }
        guard eligible.isEmpty else { return (eligible, "") }
        var reasons: [String] = []
        for deployment in deployments.prefix(8) {
            if deployment.kind == .batch && !job.acceptsBatch {
                reasons.append("'\(deployment.id)' is a batch deployment, for requests that accept batch")
            } else if !deployment.serves(anyOf: job.models) {
                reasons.append("'\(deployment.id)' does not serve \(job.models.joined(separator: " or "))")
            } else if let window = deployment.contextWindow, job.contextTokens > window {
                reasons.append("'\(deployment.id)' has a context window of \(window) tokens")
            } else if let cap = deployment.maxEnqueuedTokens, cap < deployment.tokensPerMinute {
                reasons.append("'\(deployment.id)' allows \(cap) tokens enqueued at once but charges the job \(deployment.charge.reservation(for: job))")
            } else {
                reasons.append("'\(deployment.id)' allows \(deployment.tokensPerMinute) tokens a minute but charges the job \(deployment.charge.reservation(for: job))")
            }
        }
        if deployments.count > 8 { reasons.append("and \(deployments.count - 8) more") }
        return ([], reasons.joined(separator: "; "))
    }

    private mutating func eligibilityGroup(for key: EligibilityKey) -> EligibilityGroup {
        // Most workloads ask for one model set: compare with the last before hashing.
        if lastEligibility?.key == key, let group = lastEligibility?.group { return group }
        return lookUpEligibilityGroup(for: key)
    }

    /// ``eligibilityGroup(for:)`` for a key other than the last one asked about.
    @inline(never)
    private mutating func lookUpEligibilityGroup(for key: EligibilityKey) -> EligibilityGroup {
        if let group = eligibility[key] {
            lastEligibility = (key, group)
            return group
        }
        let serving = deployments.indices.filter { deployments[$0].serves(anyOf: key.models) }
        // A job that accepts batch goes to the batch deployments serving it, or, with none, to the others.
        let batch = key.acceptsBatch ? serving.filter { deployments[$0].kind == .batch } : []
        let chosen = batch.isEmpty ? serving.filter { deployments[$0].kind == .synchronous } : batch
        let group = EligibilityGroup(
            deployments: chosen,
            smallestContextWindow: chosen.map { states[$0].contextWindow }.min() ?? .max,
            smallestChargeLimit: chosen.map { states[$0].largestCharge }.min() ?? .max,
            hasCustomCharge: chosen.contains { states[$0].charge.isCustom }
        )
        eligibility[key] = group
        lastEligibility = (key, group)
        return group
    }

    /// What deployment `d` reserves for the job in `slot`: from its sizes for
    /// built-in rules (no copy of the job), from the job itself for custom ones.
    @inline(__always)
    func reservation(slot: Int, on d: Int) -> Int {
        states[d].charge.reservation(for: jobs[slot].size) ?? states[d].charge.reservation(for: jobs[slot].job)
    }
}
