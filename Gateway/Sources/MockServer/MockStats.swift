/// What the mock has answered, per deployment, as `GET /mock/stats` returns it.
public struct MockStats: Codable, Hashable, Sendable {
    /// Seconds since the mock started.
    public var uptimeSeconds: Double
    /// The width of a timeline bucket, in seconds.
    public var bucketSeconds: Double
    /// One entry per deployment, in the scenario's order.
    public var deployments: [Deployment]
    /// Requests that named a `user` and were answered 200 again under a `user` already answered:
    /// a client that gives each request its own `user` sees here any request served twice.
    public var servedAgain = 0

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
        /// What the deployment's limiter charged for the 200s (Azure: prompt and `max_tokens`).
        public var tokensCharged = 0

        mutating func record(status: Int, tokens: Int, charged: Int) {
            switch status {
            case 200: ok += 1
            case 429: throttled += 1
            default: serverErrors += 1
            }
            tokensServed += tokens
            tokensCharged += charged
        }
    }

    /// One deployment's totals and timeline.
    public struct Deployment: Codable, Hashable, Sendable {
        /// The deployment's id.
        public var id: String
        /// Every answer so far.
        public var totals = Counts()
        /// Answers by the bucket their request arrived in, the latest ``maxBuckets`` of them:
        /// `timeline[i]` is bucket `firstBucket + i`, which starts at `(firstBucket + i) * bucketSeconds`.
        public var timeline: [Counts] = []
        /// The bucket `timeline` starts with (above 0 once older buckets have been dropped).
        public var firstBucket = 0

        /// The most buckets a timeline keeps, so that a mock left running does not grow for ever.
        public static let maxBuckets = 10_000

        init(id: String) {
            self.id = id
        }

        mutating func record(status: Int, tokens: Int, charged: Int, bucket: Int) {
            totals.record(status: status, tokens: tokens, charged: charged)
            guard bucket >= firstBucket else { return }
            let first = max(firstBucket, bucket - Self.maxBuckets + 1)
            timeline.removeFirst(min(timeline.count, first - firstBucket))
            firstBucket = first
            if timeline.count <= bucket - firstBucket {
                timeline.append(contentsOf: repeatElement(Counts(), count: bucket - firstBucket + 1 - timeline.count))
            }
            timeline[bucket - firstBucket].record(status: status, tokens: tokens, charged: charged)
        }
    }
}
