import Foundation

extension ScenarioReport {
    /// One self-contained HTML page: the comparison, and SVG charts of Headroom's
    /// use of each quota, the queue, 429s over time and the latency distribution.
    public func html() -> String {
        let palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"]
        func color(_ index: Int) -> String { palette[index % palette.count] }
        var body = "<h1>Headroom simulation</h1>\n<p>\(escape(scenario)) &middot; seed \(seed)</p>\n"
        body += "<h2>Comparison</h2>\n" + comparisonTable()
        if let cache = runs.first?.cache {
            body += "<h2>Response cache</h2>\n<p>\(grouped(cache.hits)) hits and \(grouped(cache.coalesced)) coalesced of \(grouped(cache.lookups)) "
                + "requests looked up (\(percent(cache.hitRate))); \(grouped(cache.freedTokens)) tokens of quota freed, \(percent(cache.freedShare)) of the offer "
                + "(the same cache in front of every strategy).</p>\n"
        }
        body += "<h2>At a glance</h2>\n"
        body += bars("goodput, tokens a minute (more is better)", runs.map { ($0.goodputTokensPerMinute, grouped(Int(saturating: $0.goodputTokensPerMinute))) }, color: color)
        body += bars("429 rate (less is better)", runs.map { ($0.upstream.throttleRate, percent($0.upstream.throttleRate)) }, color: color)
        body += bars("queue wait p99, seconds (less is better)", runs.map { ($0.queueWait.p99, fixed($0.queueWait.p99, 1)) }, color: color)
        if let headroom = runs.first {
            let timeline = headroom.timeline
            var series: [Chart.Series] = []
            for (index, deployment) in headroom.deployments.enumerated() {
                series.append(.init(name: "\(deployment.id) charged", color: color(index),
                                    values: timeline.chargedTokens[index].map(Double.init)))
                series.append(.init(name: "\(deployment.id) quota", color: color(index),
                                    values: Array(repeating: Double(timeline.quotaTokensPerBucket[index]), count: timeline.throttled.count), dashed: true))
            }
            body += "<h2>\(escape(headroom.strategy)): tokens charged per deployment against its quota</h2>\n"
            body += Chart(series: series, bucketSeconds: timeline.bucketSeconds, yLabel: "tokens per \(fixed(timeline.bucketSeconds, timeline.bucketSeconds == timeline.bucketSeconds.rounded() ? 0 : 1)) s").svg()
        }
        if let headroom = runs.first, let tenants = headroom.tenants {
            body += "<h2>\(escape(headroom.strategy)): each tenant's share of the tokens served against its entitlement</h2>\n"
            body += Self.tenantShares(tenants, bucketSeconds: headroom.timeline.bucketSeconds, color: color)
        }
        body += "<h2>Requests waiting</h2>\n"
        body += Chart(series: runs.enumerated().map { .init(name: $1.strategy, color: color($0), values: $1.timeline.queueLength.map(Double.init)) },
                      bucketSeconds: runs.first?.timeline.bucketSeconds ?? 10, yLabel: "requests").svg()
        body += "<h2>429s from the deployments</h2>\n"
        body += Chart(series: runs.enumerated().map { .init(name: $1.strategy, color: color($0), values: $1.timeline.throttled.map(Double.init)) },
                      bucketSeconds: runs.first?.timeline.bucketSeconds ?? 10, yLabel: "429s per bucket").svg()
        body += "<h2>Latency of served requests</h2>\n" + latencyChart(color: color)
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Headroom simulation</title>
        <style>
        body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1000px; color: #111; }
        table { border-collapse: collapse; margin: 1em 0; } th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }
        th:first-child, td:first-child { text-align: left; } h2 { margin-top: 2em; font-size: 17px; }
        svg text { font-size: 11px; fill: #444; } .legend span { display: inline-block; margin-right: 14px; }
        </style></head><body>
        \(body)
        </body></html>
        """
    }

    /// Each tenant's share of every bucket's served tokens (none where nothing was served), in percent,
    /// with its entitlement dashed.
    static func tenantShares(_ tenants: [SimulationReport.TenantReport], bucketSeconds: Double, color: (Int) -> String) -> String {
        let buckets = tenants.map(\.servedTimeline.count).max() ?? 0
        let totals = (0 ..< buckets).map { b in tenants.reduce(0) { $0 + (b < $1.servedTimeline.count ? $1.servedTimeline[b] : 0) } }
        var series: [Chart.Series] = []
        for (index, tenant) in tenants.enumerated() {
            let shares = (0 ..< buckets).map { b in
                totals[b] > 0 && b < tenant.servedTimeline.count ? 100 * Double(tenant.servedTimeline[b]) / Double(totals[b]) : 0
            }
            series.append(.init(name: "\(tenant.name) share", color: color(index), values: shares))
            series.append(.init(name: "\(tenant.name) entitlement", color: color(index),
                                values: Array(repeating: 100 * tenant.entitlement, count: buckets), dashed: true))
        }
        return Chart(series: series, bucketSeconds: bucketSeconds, yLabel: "% of tokens served").svg()
    }

    private func comparisonTable() -> String {
        let header = ["strategy", "served", "failed", "429s", "429 rate", "goodput tok/min", "efficiency", "wait p99", "latency p99"]
        var html = "<table><tr>" + header.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for r in runs {
            let cells = [escape(r.strategy), "\(r.requests.succeeded)/\(r.requests.offered)",
                         "\(r.requests.failed.values.reduce(0, +) + r.requests.rejected)", "\(r.upstream.throttled)",
                         percent(r.upstream.throttleRate), grouped(Int(saturating: r.goodputTokensPerMinute)), percent(r.capacity.efficiency),
                         "\(fixed(r.queueWait.p99, 1)) s", "\(fixed(r.latency.p99, 1)) s"]
            html += "<tr>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// One horizontal bar a run, labelled with its strategy and `value.label`, scaled to the largest.
    private func bars(_ title: String, _ values: [(value: Double, label: String)], color: (Int) -> String) -> String {
        let width = 960.0, row = 22.0, labels = 330.0, right = 110.0
        let largest = values.map(\.value).filter(\.isFinite).max() ?? 0
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(row * Double(values.count) + 24))\">\n<text x=\"4\" y=\"14\">\(escape(title))</text>\n"
        for (index, (value, label)) in values.enumerated() {
            let y = 22 + row * Double(index)
            let length = largest > 0 && value.isFinite ? (width - labels - right) * max(0, value) / largest : 0
            svg += "<text x=\"\(fixed(labels - 8, 1))\" y=\"\(fixed(y + 14, 1))\" text-anchor=\"end\">\(escape(runs[index].strategy))</text>"
            svg += "<rect x=\"\(fixed(labels, 1))\" y=\"\(fixed(y + 3, 1))\" width=\"\(fixed(length, 1))\" height=\"\(fixed(row - 6, 1))\" fill=\"\(color(index))\"/>"
            svg += "<text x=\"\(fixed(labels + length + 6, 1))\" y=\"\(fixed(y + 14, 1))\">\(escape(label))</text>\n"
        }
        return svg + "</svg>\n"
    }

    private func latencyChart(color: (Int) -> String) -> String {
        guard let bounds = runs.first?.latencyHistogram.upperBoundsSeconds else { return "" }
        let labels = bounds.map { "≤ \(fixed($0, $0 < 1 ? 1 : 0)) s" } + ["more"]
        let width = 960.0, height = 260.0, left = 50.0, bottom = 30.0
        let groupWidth = (width - left) / Double(labels.count)
        let barWidth = groupWidth * 0.8 / Double(max(1, runs.count))
        let shares = runs.map { run -> [Double] in
            let total = Double(max(1, run.latencyHistogram.counts.reduce(0, +)))
            return run.latencyHistogram.counts.map { Double($0) / total }
        }
        let top = max(0.01, shares.flatMap { $0 }.max() ?? 1)
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        for (runIndex, run) in shares.enumerated() {
            for (bucket, share) in run.enumerated() {
                let barHeight = (height - bottom - 10) * share / top
                let x = left + Double(bucket) * groupWidth + groupWidth * 0.1 + Double(runIndex) * barWidth
                svg += "<rect x=\"\(fixed(x, 1))\" y=\"\(fixed(height - bottom - barHeight, 1))\" width=\"\(fixed(barWidth, 1))\" height=\"\(fixed(barHeight, 1))\" fill=\"\(color(runIndex))\"><title>\(escape(runs[runIndex].strategy)): \(percent(share))</title></rect>\n"
            }
        }
        for (bucket, label) in labels.enumerated() {
            svg += "<text x=\"\(fixed(left + (Double(bucket) + 0.5) * groupWidth, 1))\" y=\"\(Int(height - 10))\" text-anchor=\"middle\">\(escape(label))</text>\n"
        }
        svg += "<text x=\"4\" y=\"14\">share of served requests (tallest: \(percent(top)))</text>\n</svg>\n"
        return svg + legend(runs.enumerated().map { ($1.strategy, color($0), false) })
    }
}

/// A line chart over the report's time buckets.
struct Chart {
    struct Series {
        var name: String
        var color: String
        var values: [Double]
        var dashed = false
    }

    var series: [Series]
    var bucketSeconds: Double
    var yLabel: String

    /// The most points a line gets: a longer series shows the largest value of each run of buckets.
    static let maxPoints = 1_000

    func svg() -> String {
        let width = 960.0, height = 280.0, left = 60.0, right = 10.0, top = 20.0, bottom = 30.0
        let buckets = max(2, series.map(\.values.count).max() ?? 2)
        let run = (buckets + Self.maxPoints - 1) / Self.maxPoints
        let peak = niceCeiling(series.flatMap(\.values).max() ?? 1)
        func x(_ bucket: Int) -> Double { left + (width - left - right) * Double(bucket) / Double(buckets - 1) }
        func y(_ value: Double) -> Double { height - bottom - (height - top - bottom) * value / peak }
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        for step in 0 ... 4 {
            let value = peak * Double(step) / 4
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(fixed(y(value), 1))\" y2=\"\(fixed(y(value), 1))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(fixed(y(value) + 4, 1))\" text-anchor=\"end\">\(grouped(Int(saturating: value)))</text>\n"
        }
        // Minutes on the axis, or hours for runs of more than three.
        let seconds = Double(buckets - 1) * bucketSeconds
        let (unitSeconds, unit) = seconds > 3 * 3_600 ? (3_600.0, "h") : (60.0, "min")
        let span = seconds / unitSeconds
        let tickEvery = max(1, Int((span / 8).rounded(.up)))
        var tick = 0
        while Double(tick) <= span {
            let px = left + (width - left - right) * Double(tick) / max(span, 1e-9)
            svg += "<text x=\"\(fixed(px, 1))\" y=\"\(Int(height - 10))\" text-anchor=\"middle\">\(tick) \(unit)</text>\n"
            tick += tickEvery
        }
        for line in series where !line.values.isEmpty {
            let path = stride(from: 0, to: line.values.count, by: run).map { start in
                let largest = line.values[start ..< min(start + run, line.values.count)].max() ?? 0
                return "\(fixed(x(start), 1)),\(fixed(y(largest), 1))"
            }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.6\"\(line.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(path)\"><title>\(escape(line.name))</title></polyline>\n"
        }
        svg += "<text x=\"4\" y=\"12\">\(escape(yLabel))</text>\n</svg>\n"
        return svg + legend(series.map { ($0.name, $0.color, $0.dashed) })
    }

    private func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }
}

func legend(_ entries: [(String, String, Bool)]) -> String {
    "<div class=\"legend\">" + entries.map { name, color, dashed in
        "<span><svg width=\"22\" height=\"10\"><line x1=\"0\" x2=\"22\" y1=\"5\" y2=\"5\" stroke=\"\(color)\" stroke-width=\"3\"\(dashed ? " stroke-dasharray=\"5 3\"" : "")/></svg> \(escape(name))</span>"
    }.joined() + "</div>\n"
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
