import HeadroomConfiguration
import HeadroomCore

/// Several instances of Headroom (gateways, say) sending to the same deployments, the
/// way a simulation plays them: the workload split among them in turn, each with its
/// own scheduler, sharing the deployments' limits through a store such as Redis with
/// the same rules the gateway runs (``ShareLeases`` in the store, ``ShareKeeper`` in
/// each instance), renewing every interval over a round trip, the store out of reach
/// during outages (losing its record each time, as a Redis without persistence does).
///
/// ```swift
/// var simulation = try Simulation(deployments: deployments, seed: 1)
/// simulation.sharing = SimulatedSharing(instances: 3)
/// let report = try simulation.run(&workload, strategy: .headroom())
/// ```
public struct SimulatedSharing: Hashable, Sendable {
    /// How many instances, each expecting as many.
    public var instances: Int
    /// Whether they share through the store; if not, each takes every deployment whole (what
    /// several gateways do without a `sharedState` section).
    public var sharesLimits = true
    /// How often each instance renews its leases.
    public var renewInterval: Duration
    /// How long a lease holds without a renewal.
    public var lease: Duration
    /// How long a renewal takes there and back.
    public var roundTrip: Duration
    /// How long an instance waits for a store out of reach before counting the renewal failed.
    public var timeout: Duration
    /// When the store is out of reach, from the start.
    public var outages: [Range<Duration>]

    /// `instances` instances sharing, with the gateway's defaults and a round trip of 1 ms.
    public init(instances: Int, renewInterval: Duration = .seconds(1), lease: Duration = .seconds(10), roundTrip: Duration = .milliseconds(1),
                timeout: Duration = .milliseconds(500), outages: [Range<Duration>] = []) {
        self.instances = instances
        self.renewInterval = renewInterval
        self.lease = lease
        self.roundTrip = roundTrip
        self.timeout = timeout
        self.outages = outages
    }

    /// The sharing a configuration's `sharedState` section describes (`nil` without one): its
    /// `expectedInstances` instances, renewal, lease and timeout, and the simulation's own round
    /// trip and outages.
    public init?(_ configuration: HeadroomConfiguration) throws(HeadroomError) {
        guard let settings = configuration.sharedState else { return nil }
        let rules = try settings.rules()
        let roundTrip = settings.simulatedRoundTripSeconds ?? 0.001
        guard roundTrip >= 0, roundTrip <= 60 else {
            throw HeadroomError(.invalidConfiguration, "sharedState.simulatedRoundTripSeconds is \(roundTrip); it must be from 0 to 60.")
        }
        var outages: [Range<Duration>] = []
        for outage in settings.simulatedOutages ?? [] {
            guard outage.start >= 0, outage.end > outage.start, outage.end <= 1e9 else {
                throw HeadroomError(.invalidConfiguration, "sharedState.simulatedOutages: each needs 0 <= start < end <= 1,000,000,000 seconds.")
            }
            outages.append(.seconds(outage.start) ..< .seconds(outage.end))
        }
        self.init(instances: rules.expectedInstances, renewInterval: try settings.renewInterval(), lease: .milliseconds(rules.leaseMilliseconds),
                  roundTrip: .seconds(roundTrip), timeout: try settings.timeout(), outages: outages)
    }

    /// The rules the instances renew with.
    var rules: ShareLeases.Rules {
        ShareLeases.Rules(expectedInstances: instances, leaseMilliseconds: lease.nanoseconds / 1_000_000,
                          windowMilliseconds: SharedStateSettings.window.nanoseconds / 1_000_000)
    }

    /// Why the settings cannot be used, or `nil`.
    func validationProblem() -> String? {
        if !(1 ... 1_000).contains(instances) { return "instances is \(instances); it must be from 1 to 1,000." }
        if !(renewInterval >= .milliseconds(50) && renewInterval <= .seconds(60)) { return "the renewal interval must be from 0.05 s to 60 s." }
        if lease < renewInterval * 3 { return "a lease must last at least three renewals." }
        if roundTrip < .zero || timeout <= .zero { return "the round trip must not be negative, and the timeout must be positive." }
        return nil
    }
}
