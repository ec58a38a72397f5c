import Foundation
import HeadroomCore

/// The `sharedState` section: instances of Headroom (several gateways) that send to the
/// same deployments divide their limits through Redis, each holding a lease on a share
/// (``ShareLeases``), so that together they stay within the limits. With no such section
/// an instance takes the whole of every deployment.
///
/// ```json
/// "sharedState": {"redis": "redis://10.0.0.5:6379/0", "instanceID": "gateway-1", "expectedInstances": 3}
/// ```
public struct SharedStateSettings: Hashable, Sendable, Codable {
    /// The Redis all instances share: `redis://host:port`, optionally with `/db`.
    public var redis: String
    /// This instance's name, unique among the instances (default: the host's name and the process's id).
    public var instanceID: String?
    /// How many instances are expected: each takes `1 / expectedInstances` of each deployment while
    /// Redis is out of reach.
    public var expectedInstances: Int
    /// Keeps apart unrelated groups of instances on one Redis (default `default`).
    public var namespace: String?
    /// How often an instance renews its leases (default 1 s).
    public var renewSeconds: Double?
    /// How long a lease holds without a renewal (default 10 s; at least three renewals).
    public var leaseSeconds: Double?
    /// How long Redis may take to answer before an instance counts it out of reach (default 0.5 s).
    public var timeoutSeconds: Double?
    /// In a simulation, how long a renewal takes there and back (default 0.001 s).
    public var simulatedRoundTripSeconds: Double?
    /// In a simulation, when Redis is out of reach (seconds from the start); it loses its record each time.
    public var simulatedOutages: [FaultModel.Outage]?

    /// Settings for `expectedInstances` instances sharing the Redis at `redis`.
    public init(redis: String, instanceID: String? = nil, expectedInstances: Int) {
        self.redis = redis
        self.instanceID = instanceID
        self.expectedInstances = expectedInstances
    }

    /// The longest window a provider enforces: how long a charge counts once sent.
    public static let window = Duration.seconds(60)

    /// The rules every instance renews with, checked: a configuration is input from outside.
    public func rules() throws(HeadroomError) -> ShareLeases.Rules {
        guard expectedInstances >= 1, expectedInstances <= 1_000 else {
            throw HeadroomError(.invalidConfiguration, "sharedState.expectedInstances is \(expectedInstances); it must be from 1 to 1,000.")
        }
        let renew = try renewInterval()
        let lease = leaseSeconds ?? 10
        guard lease >= 3 * (renew / .seconds(1)), lease <= 3_600 else {
            throw HeadroomError(.invalidConfiguration, "sharedState.leaseSeconds is \(lease); it must be at least three renewals "
                + "(\(3 * (renew / .seconds(1))) s) and at most 3,600.")
        }
        return ShareLeases.Rules(expectedInstances: expectedInstances, leaseMilliseconds: Int64(lease * 1_000),
                                 windowMilliseconds: Self.window.nanoseconds / 1_000_000)
    }

    /// How often an instance renews, checked.
    public func renewInterval() throws(HeadroomError) -> Duration {
        let seconds = renewSeconds ?? 1
        guard seconds >= 0.05, seconds <= 60 else {
            throw HeadroomError(.invalidConfiguration, "sharedState.renewSeconds is \(seconds); it must be from 0.05 to 60.")
        }
        return .seconds(seconds)
    }

    /// How long Redis may take, checked.
    public func timeout() throws(HeadroomError) -> Duration {
        let seconds = timeoutSeconds ?? 0.5
        guard seconds >= 0.001, seconds <= 60 else {
            throw HeadroomError(.invalidConfiguration, "sharedState.timeoutSeconds is \(seconds); it must be from 0.001 to 60.")
        }
        return .seconds(seconds)
    }

    /// This instance's name and the group's namespace, checked (each 1 to 200 printable bytes).
    public func names() throws(HeadroomError) -> (instance: String, namespace: String) {
        let instance = instanceID ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        let namespace = self.namespace ?? "default"
        for (field, value) in [("instanceID", instance), ("namespace", namespace)] {
            guard !value.isEmpty, value.utf8.count <= 200, value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
                throw HeadroomError(.invalidConfiguration, "sharedState.\(field) must be 1 to 200 bytes without spaces or control characters.")
            }
        }
        return (instance, namespace)
    }
}
