import HeadroomCore

/// A change in what the engine believes of a deployment's budget: the
/// provider's rate-limit headers or a 429 now hold it back, or no longer do;
/// or it is back in rotation (a probe was answered, or an operator enabled it).
/// ``HeadroomEngine/calibrations`` carries them, for an operator's log.
public struct CalibrationNotice: Hashable, Sendable {
    /// The deployment.
    public var deployment: DeploymentID
    /// What changed, in a sentence.
    public var message: String

    /// What of a deployment's calibration the notices follow.
    struct State: Hashable {
        var heldByHeaders = false
        var blocked = false
        var headersIgnored = false
        var outOfRotation = false

        init(_ snapshot: DeploymentSnapshot) {
            heldByHeaders = snapshot.serverView != nil
            blocked = snapshot.blockedUntil != nil
            headersIgnored = snapshot.headersIgnored
            outOfRotation = snapshot.outOfRotation != nil
        }

        init() {}
    }

    /// The notices for a deployment that went from `old` to `snapshot`, at `now`.
    static func changes(from old: State, to snapshot: DeploymentSnapshot, now: Instant) -> [CalibrationNotice] {
        let new = State(snapshot)
        let name = snapshot.id
        func seconds(_ until: Instant) -> String {
            let value = Double((until - now).nanoseconds) / 1e9
            return String(Int(value * 10) / 10) + "." + String(Int(value * 10) % 10) + " s"
        }
        var notices: [CalibrationNotice] = []
        if new.heldByHeaders != old.heldByHeaders, let view = snapshot.serverView {
            let left = [view.remainingTokens.map { "\($0) tokens" }, view.remainingRequests.map { "\($0) requests" }].compactMap { $0 }
            notices.append(CalibrationNotice(deployment: name, message: "Deployment '\(name)': its rate-limit headers show less room than Headroom counted "
                + "(\(left.joined(separator: ", ")) left); held to them for \(seconds(view.until)) at most."))
        } else if new.heldByHeaders != old.heldByHeaders {
            notices.append(CalibrationNotice(deployment: name, message: "Deployment '\(name)': the view from its rate-limit headers has lapsed; Headroom's own accounting again."))
        }
        if new.blocked != old.blocked, let until = snapshot.blockedUntil {
            notices.append(CalibrationNotice(deployment: name, message: "Deployment '\(name)': a 429 holds it back for \(seconds(until)), its retry-after."))
        } else if new.blocked != old.blocked {
            notices.append(CalibrationNotice(deployment: name, message: "Deployment '\(name)': the 429's retry-after has ended."))
        }
        // Leaving rotation is told on the engine's notices, with the reason; coming back is told here.
        if old.outOfRotation && !new.outOfRotation {
            notices.append(CalibrationNotice(deployment: name, message: "Deployment '\(name)' is back in rotation."))
        }
        if new.headersIgnored != old.headersIgnored {
            notices.append(CalibrationNotice(deployment: name, message: new.headersIgnored
                ? "Deployment '\(name)': it admitted a request its rate-limit headers said had no room; its headers are ignored until its next 429."
                : "Deployment '\(name)': its rate-limit headers are heard again after a 429."))
        }
        return notices
    }
}
