extension SchedulerCore {
    /// How long until `waiting` jobs of the recent mean charge, and one more,
    /// have gone at the combined rate of the deployments in rotation (their
    /// limits as the scheduler applies them now), and at least until the
    /// scheduler's next wake-up: what a job turned away should wait before it
    /// is sent again. Whole seconds, at least one.
    func expectedDrain(of waiting: Int) -> Duration {
        var tokensPerSecond = 0.0, requestsPerSecond = 0.0
        for state in states where state.outOfRotation == nil {
            let scale = configuration.targetUtilization * state.ledger.limitFactor / 60
            tokensPerSecond += Double(state.tokensPerMinute) * scale
            requestsPerSecond += Double(state.requestsPerMinute) * scale
        }
        let jobs = Double(waiting) + 1
        var seconds = max(jobs * meanCharge.value / max(tokensPerSecond, 1e-9), jobs / max(requestsPerSecond, 1e-9))
        if let wakeup = requestedWakeup { seconds = max(seconds, Double(wakeup - now) / 1e9) }
        // Bounded, so that no estimate overflows or asks a client to wait more than a day.
        return .seconds(min(86_400, max(1, seconds.rounded(.up))))
    }
}

/// A mean of recent values: the plain mean of the first `window`, then each new one weighs `1 / window`.
struct RunningMean: Sendable {
    private let window: Double
    private(set) var value = 0.0
    /// The weight of the next value: 1 / (values so far + 1) until it reaches 1 / window.
    private var weight = 1.0

    init(window: Double) {
        self.window = window
    }

    mutating func add(_ sample: Double) {
        value += (sample - value) * weight
        if weight > 1 / window { weight = 1 / (1 / weight + 1) }
    }
}
