import Foundation
import HeadroomCore

/// A batch deployment's settings: when its files go and how its batches are polled (the engine and
/// the simulator follow them alike, as ``HeadroomCore/BatchRules``), and how a mock of it behaves.
///
/// ```json
/// {"id": "batch", "provider": "openai", "kind": "batch", "maxEnqueuedTokens": 2000000,
///  "batch": {"maxAgeSeconds": 60, "graceSeconds": 7200, "turnaround": {"medianSeconds": 900, "p99Seconds": 3600}}}
/// ```
public struct BatchSettings: Hashable, Sendable, Codable {
    /// The most requests in one file (default 50,000; Azure allows 100,000).
    public var maxRequests: Int?
    /// The most bytes in one file (default 200,000,000).
    public var maxBytes: Int?
    /// The longest a file waits for more requests after its first, in seconds (default 60).
    public var maxAgeSeconds: Double?
    /// The first wait between polls of a batch, in seconds (default 60: Azure asks for no more than one a minute).
    public var pollSeconds: Double?
    /// The longest wait between polls, in seconds (default 600).
    public var maxPollSeconds: Double?
    /// How long a batch may run before it is cancelled and what it has not served is sent synchronously,
    /// in seconds (default 86,400, the providers' completion window).
    public var graceSeconds: Double?
    /// How long a cancelled batch may take to wind down before what it has not reported is sent
    /// synchronously, in seconds (default 900).
    public var cancelWaitSeconds: Double?
    /// The turnaround expected of a batch, for routing by deadline, in seconds (default: the grace period).
    public var expectedTurnaroundSeconds: Double?
    /// Azure: `v1` (default, `/openai/v1/files`) or `dated` (`/openai/files?api-version=…`).
    public var azureRoute: String?

    // Simulated: how a mock of it behaves.

    /// How long the mock takes to finish a batch.
    public var turnaround: TurnaroundModel?
    /// The share of batches the mock fails at validation (default 0).
    public var failureRate: Double?
    /// The share of batches the mock lets expire, some of their requests unfinished (default 0).
    public var expiryRate: Double?

    /// Creates settings; what is left out takes its default.
    public init(maxAgeSeconds: Double? = nil, pollSeconds: Double? = nil, graceSeconds: Double? = nil, turnaround: TurnaroundModel? = nil) {
        self.maxAgeSeconds = maxAgeSeconds
        self.pollSeconds = pollSeconds
        self.graceSeconds = graceSeconds
        self.turnaround = turnaround
    }

    /// The rules the engine and the simulator follow.
    ///
    /// - Throws: ``HeadroomCore/HeadroomError/Kind/invalidConfiguration`` naming the field out of range.
    public func rules(for deployment: String) throws(HeadroomError) -> BatchRules {
        func fail(_ problem: String) -> HeadroomError {
            HeadroomError(.invalidConfiguration, "Deployment '\(deployment)': batch.\(problem)")
        }
        func duration(_ seconds: Double?, _ name: String, default value: Duration) throws(HeadroomError) -> Duration {
            guard let seconds else { return value }
            guard seconds >= 0 && seconds <= 604_800 else { throw fail("\(name) is \(seconds); it must be from 0 to 604,800 (a week).") }
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        var rules = BatchRules()
        rules.maxRequests = maxRequests ?? rules.maxRequests
        rules.maxBytes = maxBytes ?? rules.maxBytes
        rules.maxAge = try duration(maxAgeSeconds, "maxAgeSeconds", default: rules.maxAge)
        rules.pollInterval = try duration(pollSeconds, "pollSeconds", default: rules.pollInterval)
        rules.maxPollInterval = try duration(maxPollSeconds, "maxPollSeconds", default: max(rules.maxPollInterval, rules.pollInterval))
        rules.gracePeriod = try duration(graceSeconds, "graceSeconds", default: rules.gracePeriod)
        rules.cancelWait = try duration(cancelWaitSeconds, "cancelWaitSeconds", default: rules.cancelWait)
        rules.expectedTurnaround = try duration(expectedTurnaroundSeconds, "expectedTurnaroundSeconds", default: rules.gracePeriod)
        if let problem = rules.problem() {
            throw fail(problem.replacingFirst("maxAge ", with: "maxAgeSeconds ").replacingFirst("pollInterval ", with: "pollSeconds ")
                .replacingFirst("maxPollInterval ", with: "maxPollSeconds ").replacingFirst("gracePeriod ", with: "graceSeconds ").replacingFirst("cancelWait ", with: "cancelWaitSeconds ")
                .replacingFirst("expectedTurnaround ", with: "expectedTurnaroundSeconds "))
        }
        for (name, rate) in [("failureRate", failureRate), ("expiryRate", expiryRate)] {
            if let rate, !(rate >= 0 && rate <= 1) { throw fail("\(name) is \(rate); it must be from 0 to 1.") }
        }
        if let problem = turnaround?.problem() { throw fail(problem) }
        if let route = azureRoute, !["v1", "dated"].contains(route) { throw fail("azureRoute is '\(route)'; it must be \"v1\" or \"dated\".") }
        return rules
    }
}

/// How long a mock batch endpoint takes to finish a batch: log-normal, given by its median and 99th percentile.
public struct TurnaroundModel: Hashable, Sendable, Codable {
    /// The median, in seconds.
    public var medianSeconds: Double
    /// The 99th percentile, in seconds (at least the median).
    public var p99Seconds: Double

    /// Creates a model.
    public init(medianSeconds: Double, p99Seconds: Double) {
        self.medianSeconds = medianSeconds
        self.p99Seconds = p99Seconds
    }

    /// Why the model cannot be played, or `nil`.
    func problem() -> String? {
        guard medianSeconds >= 0 && medianSeconds <= 604_800 else { return "turnaround.medianSeconds is \(medianSeconds); it must be from 0 to 604,800." }
        guard p99Seconds >= medianSeconds && p99Seconds <= 604_800 else {
            return "turnaround.p99Seconds is \(p99Seconds); it must be from the median (\(medianSeconds)) to 604,800."
        }
        return nil
    }

    /// A turnaround in seconds for a standard normal draw `z`.
    public func seconds(normal z: Double) -> Double {
        guard medianSeconds > 0 else { return 0 }
        // The 99th percentile of a standard normal is 2.326.
        let sigma = log(p99Seconds / medianSeconds) / 2.326_347_874
        return min(604_800, medianSeconds * exp(sigma * z))
    }
}

extension String {
    /// The string with the first `target` replaced.
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
