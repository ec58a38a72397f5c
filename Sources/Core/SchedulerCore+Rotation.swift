extension SchedulerCore {
    /// Puts deployment `d` back in rotation (an operator enabled it, or a probe came back).
    mutating func bringBack(_ d: Int) {
        guard states[d].outOfRotation != nil else { return }
        states[d].outOfRotation = nil
        states[d].probeAt = .max
        states[d].probing = false
        fitChanges += 1
    }

    /// The attempt that probed deployment `d`, out of rotation, is over: anything but
    /// "unavailable" shows it serves again; otherwise the next probe waits twice as long, up to ten minutes.
    mutating func endProbe(_ d: Int, _ outcome: AttemptOutcome) {
        states[d].probing = false
        if case .deploymentUnavailable = outcome {
            states[d].probeBackoff = min(states[d].probeBackoff.addingSaturating(states[d].probeBackoff), Self.longestProbeWait)
            states[d].probeAt = now.addingSaturating(states[d].probeBackoff)
            nextProbe = min(nextProbe, states[d].probeAt)
        } else {
            bringBack(d)
        }
    }

    /// Probes have fallen due: deployments that take one now count as a change where jobs fit,
    /// and the next probe due is found.
    mutating func probesFallDue() {
        fitChanges += 1
        nextProbe = .max
        for d in states.indices where states[d].outOfRotation != nil && states[d].probeAt > now {
            nextProbe = min(nextProbe, states[d].probeAt)
        }
    }

    /// The longest wait between two probes of a deployment out of rotation.
    static var longestProbeWait: Int64 { Duration.seconds(600).nanoseconds }
}
