/// The live engine's time: how long since the clock's origin, and a way to wait
/// for a moment. The engine's default is real time; a test passes a clock it
/// moves by hand, so that deadlines and wake-ups happen without waiting.
///
/// ```swift
/// let engine = try HeadroomEngine(scheduler: scheduler, adapters: adapters, clock: ContinuousEngineClock())
/// ```
public protocol EngineClock: Sendable {
    /// The time now, since the clock's origin; it never goes back.
    func now() -> Duration
    /// Returns once the clock reads `deadline`, or throws `CancellationError` when the calling task is cancelled first.
    func sleep(until deadline: Duration) async throws
}

/// Real time, by `ContinuousClock`, from when the clock was made.
public struct ContinuousEngineClock: EngineClock {
    private let origin = ContinuousClock.now

    /// A clock whose origin is now.
    public init() {}

    public func now() -> Duration {
        ContinuousClock.now - origin
    }

    public func sleep(until deadline: Duration) async throws {
        try await Task.sleep(until: origin + deadline, clock: .continuous)
    }
}
