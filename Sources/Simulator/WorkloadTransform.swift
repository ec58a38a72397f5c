import HeadroomCore

/// Reshapes a workload as it streams: compresses or stretches time, keeps a
/// window of it, assigns models, priorities and tenants.
///
/// ```swift
/// let faster = TransformedWorkload(trace, transform: WorkloadTransform(timeScale: 2, limit: 5_000))
/// ```
public struct WorkloadTransform: Hashable, Sendable, Codable {
    /// Arrivals happen this many times faster (2 doubles the request rate); 1 keeps them.
    public var timeScale: Double = 1
    /// Skip requests that arrive before this many seconds into the source.
    public var startSeconds: Double = 0
    /// Stop at requests arriving this many seconds into the source.
    public var endSeconds: Double?
    /// Stop after this many requests.
    public var limit: Int?
    /// Give every request this model.
    public var model: String?
    /// Give requests priorities in turn from this list (e.g. `[0, 0, 1]`: a third at priority 1).
    public var priorities: [Int]?
    /// Give requests tenants in turn from this list (e.g. `["batch", "batch", "ui"]`).
    public var tenants: [String]?
    /// Leave out the requests of these tenants (once tenants are given), the others' arrivals unchanged:
    /// what the rest see when these are absent.
    public var withoutTenants: Set<String>?

    /// No change.
    public init(timeScale: Double = 1, startSeconds: Double = 0, endSeconds: Double? = nil, limit: Int? = nil,
                model: String? = nil, priorities: [Int]? = nil, tenants: [String]? = nil) {
        self.timeScale = timeScale
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
        self.limit = limit
        self.model = model
        self.priorities = priorities
        self.tenants = tenants
    }

    /// Why the transform cannot be used, or `nil`.
    func validationProblem() -> String? {
        if !(timeScale >= 0.001 && timeScale <= 1_000) { return "timeScale is \(timeScale); it must be from 0.001 to 1,000." }
        for (name, seconds) in [("startSeconds", startSeconds), ("endSeconds", endSeconds ?? 0)] where !(seconds >= 0 && seconds <= 1e9) {
            return "\(name) is \(seconds); it must be from 0 to 1,000,000,000 (about 31 years)."
        }
        if let end = endSeconds, end <= startSeconds { return "endSeconds (\(end)) must be after startSeconds (\(startSeconds))." }
        if let limit, limit < 0 { return "limit is \(limit); it must not be negative." }
        if priorities?.isEmpty == true { return "priorities is empty; leave it out or give at least one." }
        if tenants?.isEmpty == true { return "tenants is empty; leave it out or give at least one." }
        return nil
    }
}

/// A workload seen through a ``WorkloadTransform``.
public struct TransformedWorkload<Source: WorkloadSource>: WorkloadSource {
    private var source: Source
    private let transform: WorkloadTransform
    private var emitted = 0

    /// Wraps `source`.
    public init(_ source: Source, transform: WorkloadTransform) throws(HeadroomError) {
        if let problem = transform.validationProblem() { throw HeadroomError(.invalidScenario, "Workload transform: \(problem)") }
        self.source = source
        self.transform = transform
    }

    public mutating func next() throws(HeadroomError) -> SimulatedRequest? {
        var request = SimulatedRequest(arrival: .zero, promptTokens: 0, maxTokens: 0, outputTokens: 0)
        return try next(into: &request) ? request : nil
    }

    public mutating func next(into request: inout SimulatedRequest) throws(HeadroomError) -> Bool {
        if let limit = transform.limit, emitted >= limit { return false }
        let start = Duration.seconds(transform.startSeconds).nanoseconds
        while try source.next(into: &request) {
            let at = request.arrival.nanoseconds
            if at < start { continue }
            if let end = transform.endSeconds, at >= Duration.seconds(end).nanoseconds { return false }
            // Saturating: a source may give arrivals up to the end of time, and slowing them can pass it.
            let scaled = Double(at - start) / transform.timeScale
            request.arrival = Instant(nanoseconds: scaled < 9.2e18 ? Int64(scaled) : .max)
            if let model = transform.model, request.model != model { request.model = model }
            if let priorities = transform.priorities { request.priority = priorities[emitted % priorities.count] }
            if let tenants = transform.tenants { request.tenant = tenants[emitted % tenants.count] }
            emitted += 1
            if let absent = transform.withoutTenants, let tenant = request.tenant, absent.contains(tenant) { continue }
            return true
        }
        return false
    }
}
