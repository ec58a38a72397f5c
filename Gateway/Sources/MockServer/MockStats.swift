/// What the mock has answered, per deployment, as `GET /mock/stats` returns it.
public struct MockStats: Codable, Hashable, Sendable {
    /// Seconds since the mock started.
    public var uptimeSeconds: Double
    /// The width of a timeline bucket, in seconds.
    public var bucketSeconds: Double
    /// One entry per deployment, in the scenario's order.
    public var deployments: [Deployment]

    /// Answers of one kind, counted.
    public struct Counts: Codable, Hashable, Sendable {
        /// 200s.
        public var ok = 0
        /// 429s.
        public var throttled = 0
        /// 500, 503 and 504 answers.
        public var serverErrors = 0
        /// Prompt and completion tokens of the 200s.
        public var tokensServed = 0

        mutating func record(status: Int, tokens: Int) {
            switch status {
            case 200: ok += 1
            case 429: throttled += 1
            default: serverErrors += 1
            }
            tokensServed += tokens
        }
    }

    /// One deployment's totals and timeline.
    public struct Deployment: Codable, Hashable, Sendable {
        /// The deployment's id.
        public var id: String
        /// Every answer so far.
        public var totals = Counts()
        /// Answers by the bucket their request arrived in; bucket `i` starts at `i * bucketSeconds`.
        public var timeline: [Counts] = []

        init(id: String) {
            self.id = id
        }

        mutating func record(status: Int, tokens: Int, bucket: Int) {
            totals.record(status: status, tokens: tokens)
            if timeline.count <= bucket {
                timeline.append(contentsOf: repeatElement(Counts(), count: bucket + 1 - timeline.count))
            }
            timeline[bucket].record(status: status, tokens: tokens)
        }
    }
}
