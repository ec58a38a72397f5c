import HeadroomCore

/// Headroom against every header dialect, allocation policy and queue policy,
/// at about 1.3x overload: the check that no provider's way of reporting its
/// limits can cost much of the quota.
///
/// Each cell is three deployments of 30,000, 60,000 and 90,000 tokens a minute
/// (180, 360 and 540 requests), 200 ms plus 10 ms an output token, offered
/// 1.3 times their capacity for ten minutes, then drained. Azure-like
/// deployments count fixed 10-second windows, each with a sixth of the
/// minute's limits (and the minute too where the headers give its remainder),
/// and admit the request that crosses a limit (Azure's published description);
/// the `durations` row is OpenAI's continuously refilled buckets; the `shared`
/// row is the minute remainders with other clients spending a fifth of each
/// deployment's quota.
///
/// ```swift
/// let cells = try ConformanceMatrix().run()
/// print(ConformanceMatrix.table(cells))
/// ```
public struct ConformanceMatrix: Sendable {
    /// One row of the matrix: the header dialect of the same name (``EndpointModel/HeaderDialect``),
    /// on Azure-like deployments but for `durations` (OpenAI's buckets); `shared` is `minuteRemainder`
    /// with other clients spending a fifth of each deployment's quota.
    public enum Row: String, Hashable, Sendable, CaseIterable {
        /// See ``EndpointModel/HeaderDialect/minuteRemainder``; the minute is counted too.
        case minuteRemainder
        /// See ``EndpointModel/HeaderDialect/windowRemainder``.
        case windowRemainder
        /// See ``EndpointModel/HeaderDialect/durations``.
        case durations
        /// See ``EndpointModel/HeaderDialect/none``.
        case none
        /// See ``EndpointModel/HeaderDialect/unknown``.
        case unknown
        /// See ``EndpointModel/HeaderDialect/lagging``.
        case lagging
        /// `minuteRemainder` with others spending a fifth of each quota.
        case shared

        /// The deployments of this row.
        public var deployments: [SimulatedDeployment] {
            [(30_000, "small"), (60_000, "medium"), (90_000, "large")].map { tokens, id in
                var model: EndpointModel
                switch self {
                case .durations:
                    model = .openAI(requestsPerMinute: tokens * 6 / 1_000, tokensPerMinute: tokens)
                default:
                    model = .azure(tokensPerMinute: tokens, subWindowSeconds: 10)
                    // Azure's standard deployments count the minute too, and their headers give its remainder.
                    model.enforcesMinute = self == .minuteRemainder || self == .shared
                    model.admission = .crossing
                    model.headers = EndpointModel.HeaderDialect(rawValue: rawValue) ?? .minuteRemainder
                }
                if self == .shared { model.faults.backgroundTokensPerMinute = Double(tokens) / 5 }
                model.latency.firstTokenSeconds = 0.2
                model.latency.perOutputTokenSeconds = 0.01
                model.latency.jitter = 0.1
                return SimulatedDeployment(id: id, models: ["gpt-4o"], endpoint: model)
            }
        }

        /// The tokens a minute left to the scheduler's client.
        var capacityTokensPerMinute: Double { self == .shared ? 180_000 * 0.8 : 180_000 }
    }

    /// One cell's outcome.
    public struct Cell: Sendable {
        /// The row.
        public var row: Row
        /// The queue policy.
        public var queue: QueueChoice
        /// The allocation policy.
        public var allocation: AllocationChoice
        /// What the run measured.
        public var report: SimulationReport

        /// Whether the cell meets the bar: 97% of the capacity bound, under 1% 429s, every request served.
        public var passes: Bool {
            report.capacity.efficiency >= ConformanceMatrix.efficiencyBar
                && report.upstream.throttleRate < ConformanceMatrix.throttleBar
                && report.requests.succeeded == report.requests.offered
        }
    }

    /// The least share of the capacity bound a cell must reach.
    public static let efficiencyBar = 0.97
    /// The 429 rate a cell must stay under.
    public static let throttleBar = 0.01

    /// The offer over capacity.
    public var overload = 1.3
    /// Seconds of arrivals.
    public var seconds = 600.0
    /// Fixes the workload and every random draw.
    public var seed: UInt64 = 1
    /// Requests that ask again what an earlier one asked (for a run with a response cache); none by default.
    public var repeats: SyntheticWorkload.Repeats?

    /// The defaults: 1.3x for ten minutes, seed 1.
    public init() {}

    /// Runs every cell (or those of `rows`).
    public func run(rows: [Row] = Row.allCases) throws(HeadroomError) -> [Cell] {
        var cells: [Cell] = []
        for row in rows {
            let simulation = try Simulation(deployments: row.deployments, seed: seed)
            for queue in [QueueChoice.fifo, .priority(agingSeconds: 60)] {
                for allocation in AllocationChoice.allCases {
                    var workload = self.workload(for: row)
                    let report = try simulation.run(&workload, strategy: .headroom(HeadroomSettings(queue: queue, allocation: allocation)))
                    cells.append(Cell(row: row, queue: queue, allocation: allocation, report: report))
                }
            }
        }
        return cells
    }

    /// The workload of a row: lognormal sizes (prompt median 500, output 200, `max_tokens` 1.25 x the output)
    /// arriving at `overload` times what the row's capacity serves, as its deployments charge them,
    /// with priorities 0, 1 and 2 in turn.
    public func workload(for row: Row) -> TransformedWorkload<SyntheticWorkload> {
        let prompt = SyntheticWorkload.Size(median: 500, sigma: 0.6, range: 20 ... 4_000)
        let output = SyntheticWorkload.Size(median: 200, sigma: 0.6, range: 10 ... 1_000)
        func generator(count: Int, perSecond: Double) -> SyntheticWorkload {
            SyntheticWorkload(count: count, requestsPerSecond: perSecond, prompt: prompt, output: output, repeats: repeats, seed: seed)
        }
        // The mean charge, measured on the workload itself under the row's charge rule.
        var sample = generator(count: 10_000, perSecond: 1)
        let endpoint = row.deployments[0].endpoint
        var total = 0
        while let request = sample.next() { total += endpoint.charge(for: request) }
        let perSecond = overload * row.capacityTokensPerMinute / 60 / (Double(total) / 10_000)
        // Safe: the transform is valid.
        return try! TransformedWorkload(generator(count: Int(perSecond * seconds), perSecond: perSecond),
                                        transform: WorkloadTransform(priorities: [0, 1, 2]))
    }

    /// The matrix as a table: a line a cell, with the bar's verdict.
    public static func table(_ cells: [Cell]) -> String {
        var lines = ["| dialect | queue | allocation | served | 429 rate | efficiency | wait p99 | verdict |", "|---|---|---|---:|---:|---:|---:|---|"]
        for cell in cells {
            let report = cell.report
            lines.append("| \(cell.row.rawValue) | \(cell.queue.label) | \(cell.allocation.rawValue) | \(report.requests.succeeded)/\(report.requests.offered) | "
                + "\(percent(report.upstream.throttleRate)) | \(percent(report.capacity.efficiency)) | \(fixed(report.queueWait.p99, 1)) s | "
                + "\(cell.passes ? "pass" : "FAIL") |")
        }
        return lines.joined(separator: "\n")
    }
}
