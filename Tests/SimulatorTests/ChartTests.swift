import Testing
@testable import HeadroomSimulator

@Suite("HTML charts")
struct ChartTests {
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
}
