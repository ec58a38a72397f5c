/// The deployments serving one set of models, with the bounds that let most
/// jobs be found eligible everywhere without looking at each deployment.
struct EligibilityGroup: Sendable {
    let deployments: [Int]
    let smallestContextWindow: Int
    let smallestTokensPerMinute: Int
    let hasCustomCharge: Bool
}

extension SchedulerCore {
    /// The deployments that could ever serve `job`, and, when there are none, why.
    mutating func eligibleDeployments(for job: Job) -> ([Int], String) {
        let group = eligibilityGroup(for: job.models)
        let size = JobSize(job)
        // No built-in rule charges more than the context or the prompt's characters.
        let chargeBound = max(size.contextTokens, size.promptCharacters ?? 0)
        if !group.hasCustomCharge && size.contextTokens <= group.smallestContextWindow
            && chargeBound <= group.smallestTokensPerMinute && !group.deployments.isEmpty {
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
                && (states[d].charge.reservation(for: size) ?? states[d].charge.reservation(for: job)) <= states[d].tokensPerMinute
        }
        guard eligible.isEmpty else { return (eligible, "") }
        var reasons: [String] = []
        for deployment in deployments.prefix(8) {
            if !deployment.serves(anyOf: job.models) {
                reasons.append("'\(deployment.id)' does not serve \(job.models.joined(separator: " or "))")
            } else if let window = deployment.contextWindow, job.contextTokens > window {
                reasons.append("'\(deployment.id)' has a context window of \(window) tokens")
            } else {
                reasons.append("'\(deployment.id)' allows \(deployment.tokensPerMinute) tokens a minute but charges the job \(deployment.charge.reservation(for: job))")
            }
        }
        if deployments.count > 8 { reasons.append("and \(deployments.count - 8) more") }
        return ([], reasons.joined(separator: "; "))
    }

    private mutating func eligibilityGroup(for models: [String]) -> EligibilityGroup {
        // Most workloads ask for one model set: compare with the last before hashing.
        if lastEligibility?.models == models, let group = lastEligibility?.group { return group }
        return lookUpEligibilityGroup(for: models)
    }

    /// ``eligibilityGroup(for:)`` for a model set other than the last one asked about.
    @inline(never)
    private mutating func lookUpEligibilityGroup(for models: [String]) -> EligibilityGroup {
        if let group = eligibility[models] {
            lastEligibility = (models, group)
            return group
        }
        let serving = deployments.indices.filter { deployments[$0].serves(anyOf: models) }
        let group = EligibilityGroup(
            deployments: serving,
            smallestContextWindow: serving.map { states[$0].contextWindow }.min() ?? .max,
            smallestTokensPerMinute: serving.map { states[$0].tokensPerMinute }.min() ?? .max,
            hasCustomCharge: serving.contains { states[$0].charge.isCustom }
        )
        eligibility[models] = group
        lastEligibility = (models, group)
        return group
    }

    /// What deployment `d` reserves for the job in `slot`: from its sizes for
    /// built-in rules (no copy of the job), from the job itself for custom ones.
    @inline(__always)
    func reservation(slot: Int, on d: Int) -> Int {
        states[d].charge.reservation(for: jobs[slot].size) ?? states[d].charge.reservation(for: jobs[slot].job)
    }
}
