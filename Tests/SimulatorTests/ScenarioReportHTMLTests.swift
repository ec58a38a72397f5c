import Testing
@testable import HeadroomSimulator

@Suite("HTML report")
struct ScenarioReportHTMLTests {
    /// The points of the chart's first line.
    func points(_ svg: String) -> [Substring] {
        guard let start = svg.range(of: "points=\"")?.upperBound, let end = svg[start...].firstIndex(of: "\"") else { return [] }
        return svg[start ..< end].split(separator: " ")
    }

    @Test("A short series gets a point a bucket, and minutes on the axis")
    func short() {
        let svg = Chart(series: [.init(name: "a", color: "#000", values: [1, 5, 2, 0])], bucketSeconds: 10, yLabel: "y").svg()
        #expect(points(svg).count == 4)
        #expect(svg.contains(">0 min<") && !svg.contains(" h<"))
    }

    @Test("A long series is drawn by the largest value of each run of buckets, and hours on the axis")
    func long() {
        // 2,500 ten-second buckets (about seven hours) in runs of 3: 834 points.
        var values = Array(repeating: 1.0, count: 2_500)
        values[1_000] = 9
        let svg = Chart(series: [.init(name: "a", color: "#000", values: values)], bucketSeconds: 10, yLabel: "y").svg()
        let line = points(svg)
        #expect(line.count == 834)
        // The axis tops at 10: 9 is drawn at y 43.0 in the run of buckets 999 to 1,001, and 1 at y 227.0 elsewhere.
        #expect(line[333].hasSuffix(",43.0") && line[332].hasSuffix(",227.0") && line[334].hasSuffix(",227.0"))
        #expect(svg.contains(">1 h<") && !svg.contains(" min<"))
    }

    @Test("The page shows goodput, 429 rate and p99 wait as one bar a run, the longest for the largest")
    func glance() throws {
        let simulation = try Simulation(deployments: [SimulatedDeployment(id: "a", endpoint: .azure(tokensPerMinute: 6_000))], seed: 1)
        let runs = try [Strategy.headroom(), .naiveRetry].map { strategy in
            var workload = ListWorkload(requests: Array(repeating: request(400, 100), count: 20))
            return try simulation.run(&workload, strategy: strategy)
        }
        let html = ScenarioReport(scenario: "s", seed: 1, runs: runs).html()
        let glance = try #require(html.range(of: "<h2>At a glance</h2>").map { html[$0.upperBound...] }?.components(separatedBy: "<h2>").first)
        #expect(glance.components(separatedBy: "<rect ").count - 1 == 6)
        // Naive retry meets 429s, Headroom none: its bar is the full width (520 px), Headroom's empty.
        #expect(runs[0].upstream.throttleRate == 0 && runs[1].upstream.throttleRate > 0)
        let rates = try #require(glance.components(separatedBy: "429 rate").last?.components(separatedBy: "queue wait").first)
        let widths = rates.components(separatedBy: "<rect ").dropFirst().map { $0.components(separatedBy: "width=\"")[1].prefix { $0 != "\"" } }
        #expect(widths == ["0.0", "520.0"])
    }
}
