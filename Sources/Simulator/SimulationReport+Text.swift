import Foundation

extension SimulationReport {
    /// The report as a few lines for a terminal.
    public var text: String {
        var lines: [String] = []
        lines.append("\(strategy): \(requests.succeeded) of \(requests.offered) served, \(requests.failed.values.reduce(0, +)) failed, \(requests.rejected) rejected")
        if !requests.failed.isEmpty {
            lines.append("  failed: " + requests.failed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if let cache {
            lines.append("  cache: \(grouped(cache.hits)) hits and \(grouped(cache.coalesced)) coalesced of \(grouped(cache.lookups)) looked up (\(percent(cache.hitRate))), "
                + "\(grouped(cache.bypasses)) passed by; \(grouped(cache.freedTokens)) tokens of quota freed (\(percent(cache.freedShare)) of the offer); "
                + "\(grouped(cache.stored)) stored, \(grouped(cache.evicted)) evicted, \(grouped(cache.expired)) expired, peak \(grouped(cache.peakBytes)) bytes")
        }
        if let sharing, sharing.sharesLimits {
            lines.append("  shared by \(sharing.instances) instances: \(grouped(sharing.renewals)) renewals, \(grouped(sharing.failures)) failed, "
                + "\(grouped(sharing.fallbacks)) fallbacks")
        }
        lines.append("  upstream: \(upstream.attempts) attempts, \(upstream.throttled) 429s (\(percent(upstream.throttleRate))), \(upstream.errors) errors, \(upstream.retries) retries")
        lines.append("  goodput \(grouped(Int(saturating: goodputTokensPerMinute))) tokens/min until the last arrival (\(fixed(capacity.horizonSeconds, 0)) s); efficiency \(percent(capacity.efficiency)) of the capacity bound (\(capacity.binding)); run \(fixed(durationSeconds, 1)) s")
        lines.append("  queue wait p50 \(fixed(queueWait.p50, 2)) s, p95 \(fixed(queueWait.p95, 2)) s, p99 \(fixed(queueWait.p99, 2)) s, max \(fixed(queueWait.max, 2)) s")
        lines.append("  latency    p50 \(fixed(latency.p50, 2)) s, p95 \(fixed(latency.p95, 2)) s, p99 \(fixed(latency.p99, 2)) s, max \(fixed(latency.max, 2)) s")
        if let batch {
            let stats = batch.statistics
            lines.append("  batch: \(grouped(stats.answered)) answered from \(grouped(stats.submitted)) batches (\(stats.completed) completed, \(stats.failed) failed, "
                + "\(stats.expired) expired, \(stats.cancelled) cancelled), \(grouped(stats.resent)) resent synchronously; "
                + "turnaround p50 \(fixed(stats.turnaroundP50Seconds ?? 0, 0)) s, p99 \(fixed(stats.turnaroundP99Seconds ?? 0, 0)) s")
            lines.append("  latency of urgent requests p50 \(fixed(batch.urgentLatency.p50, 2)) s, p99 \(fixed(batch.urgentLatency.p99, 2)) s; "
                + "of deferrable ones p50 \(fixed(batch.deferrableLatency.p50, 1)) s, p99 \(fixed(batch.deferrableLatency.p99, 1)) s")
        }
        if let cost {
            lines.append("  cost \(money(cost.total.cost)) for \(grouped(cost.total.requests)) requests (\(grouped(cost.total.batched)) batched, saving "
                + "\(money(cost.total.batchSaving)))" + (cost.total.unpriced > 0 ? "; \(grouped(cost.total.unpriced)) of unpriced models" : ""))
        }
        if let tenants, let fairness {
            lines.append("  tenants (Jain's fairness \(fixed(fairness, 3))): " + tenants.map { tenant in
                "\(tenant.name) \(tenant.served)/\(tenant.offered) served, \(tenant.refused > 0 ? "\(tenant.refused) refused by budget, " : "")\(percent(tenant.share)) of tokens (entitled \(percent(tenant.entitlement))), "
                    + "wait p50 \(fixed(tenant.queueWait.p50, 1)) s p99 \(fixed(tenant.queueWait.p99, 1)) s"
            }.joined(separator: "; "))
        }
        for deployment in deployments {
            // A batch deployment has no per-minute quota.
            lines.append(deployment.quotaTokens == 0 && batch != nil
                ? "  \(deployment.id): \(deployment.attempts) attempts, \(deployment.succeeded) served from batch"
                : "  \(deployment.id): \(deployment.attempts) attempts, \(deployment.throttled) 429s, \(deployment.errors) errors, \(percent(deployment.utilization)) of quota used")
        }
        return lines.joined(separator: "\n")
    }

    /// A table comparing runs of the same scenario, one row a strategy.
    public static func comparison(_ reports: [SimulationReport]) -> String {
        let header = ["strategy", "served", "failed", "429s", "429 rate", "goodput tok/min", "efficiency", "wait p99", "latency p99"]
        let rows = reports.map { r in
            [r.strategy, "\(r.requests.succeeded)/\(r.requests.offered)", "\(r.requests.failed.values.reduce(0, +) + r.requests.rejected)",
             "\(r.upstream.throttled)", percent(r.upstream.throttleRate), grouped(Int(saturating: r.goodputTokensPerMinute)),
             percent(r.capacity.efficiency), "\(fixed(r.queueWait.p99, 1)) s", "\(fixed(r.latency.p99, 1)) s"]
        }
        return table(header: header, rows: rows)
    }
}

extension SimulationReport {
    /// A table of one setting's values against their runs' 429 rate, goodput, efficiency and p99 wait.
    public static func sweep(parameter: String, values: [String], reports: [SimulationReport]) -> String {
        let rows = zip(values, reports).map { value, r in
            [value, percent(r.upstream.throttleRate), "\(r.upstream.throttled)", grouped(Int(saturating: r.goodputTokensPerMinute)),
             percent(r.capacity.efficiency), "\(fixed(r.queueWait.p99, 1)) s", "\(r.requests.succeeded)/\(r.requests.offered)"]
        }
        return table(header: [parameter, "429 rate", "429s", "goodput tok/min", "efficiency", "wait p99", "served"], rows: rows)
    }
}

/// A plain-text table with left-aligned first column and right-aligned others.
func table(header: [String], rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
        cells.indices.map { column in
            let pad = String(repeating: " ", count: widths[column] - cells[column].count)
            return column == 0 ? cells[column] + pad : pad + cells[column]
        }.joined(separator: "  ")
    }
    return ([line(header), String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))] + rows.map(line))
        .joined(separator: "\n")
}

func percent(_ value: Double) -> String { fixed(value * 100, 2) + "%" }

func fixed(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}

func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return (value < 0 ? "-" : "") + result
}

/// An amount in the prices' currency, to the cent below a hundred and to the unit above.
func money(_ amount: Double) -> String {
    amount >= 100 ? grouped(Int(amount.rounded())) : fixed(amount, 2)
}
