import Foundation
import HeadroomAdapters
import HeadroomHTTPClient
import HeadroomCore
import HeadroomServerSupport

// headroom-load: drives a running gateway and mock (loopback only), then
// reports requests lost, upstream 429s, client-visible errors, and the
// gateway's overhead against calling the mock directly.

let usage = """
    usage: headroom-load --gateway http://127.0.0.1:8080 --key KEY --mock http://127.0.0.1:9000
                         [--direct DEPLOYMENT] [--requests 2000] [--rate 80] [--probes 100] [--limit-seconds 300]
    """

/// One request's fate.
struct Result: Sendable {
    var status: Int?
    var seconds: Double
}

// As many connections as requests in flight: a waiting request holds one.
let transport = AsyncHTTPClientTransport(connectionsPerHost: 16_384)

func post(_ url: String, key: String, index: Int, timeout: Duration) async -> Result {
    let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Load test request \#(index): say something."}],"max_tokens":50}"#
    let request = HTTPRequestData(method: "POST", url: url, headers: [HTTPField("authorization", "Bearer \(key)"),
                                                                      HTTPField("content-type", "application/json")],
                                  body: Array(body.utf8))
    let started = ContinuousClock.now
    do {
        let response = try await transport.send(request, timeout: timeout)
        _ = try await response.collect()
        return Result(status: response.status, seconds: seconds(.now - started))
    } catch {
        return Result(status: nil, seconds: seconds(.now - started))
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.nanoseconds) / 1e9
}

func percentile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]
}

func milliseconds(_ value: Double) -> String {
    String(format: "%.2f ms", value * 1_000)
}

/// Reads a number at `path` (keys, or `*` to sum over an array) from a JSON document at `url`.
func statistic(_ url: String, _ path: [String]) async -> Int? {
    guard let response = try? await transport.send(HTTPRequestData(method: "GET", url: url, headers: [], body: []), timeout: .seconds(10)),
          let body = try? await response.collect(), let json = try? JSONSerialization.jsonObject(with: Data(body)) else { return nil }
    func walk(_ value: Any, _ path: ArraySlice<String>) -> Int? {
        guard let key = path.first else { return value as? Int }
        if key == "*" { return (value as? [Any])?.compactMap { walk($0, path.dropFirst()) }.reduce(0, +) }
        return (value as? [String: Any])?[key].flatMap { walk($0, path.dropFirst()) }
    }
    return walk(json, path[...])
}

await runCommand("headroom-load", usage: usage) {
    let options = try CommandOptions(CommandLine.arguments.dropFirst(),
                                      known: ["--gateway", "--key", "--mock", "--direct", "--requests", "--rate", "--probes", "--limit-seconds"])
    guard let gateway = options["--gateway"], let key = options["--key"], let mock = options["--mock"] else {
        throw CommandOptions.Problem(description: "--gateway, --key and --mock are required.")
    }
    for url in [gateway, mock] {
        guard let host = URL(string: url)?.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
            throw CommandOptions.Problem(description: "\(url) is not on loopback; the load test only runs against 127.0.0.1 or localhost.")
        }
    }
    let direct = options["--direct"] ?? "direct"
    let count = try options.integer("--requests") ?? 2_000
    let rate = try options.number("--rate") ?? 80
    let probes = try options.integer("--probes") ?? 100
    let limit = Duration.seconds(try options.number("--limit-seconds") ?? 300)
    guard (1 ... 100_000).contains(count), rate > 0, (1 ... 10_000).contains(probes) else {
        throw CommandOptions.Problem(description: "--requests must be 1 to 100000, --probes 1 to 10000, and --rate positive.")
    }

    // 1. Overhead: the same requests, one at a time, alternately straight to the mock and through the gateway.
    var straight: [Double] = []
    var through: [Double] = []
    for index in 0 ..< probes {
        let one = await post("\(mock)/\(direct)/v1/chat/completions", key: "mock", index: index, timeout: .seconds(30))
        let two = await post("\(gateway)/v1/chat/completions", key: key, index: index, timeout: .seconds(30))
        if one.status == 200 { straight.append(one.seconds) }
        if two.status == 200 { through.append(two.seconds) }
    }

    // 2. Overload: open-loop arrivals at `rate`, beyond the deployments' capacity.
    let throttledBefore = await statistic("\(mock)/mock/stats", ["deployments", "*", "totals", "throttled"]) ?? 0
    let started = ContinuousClock.now
    let results = await withTaskGroup(of: Result.self, returning: [Result].self) { group in
        for index in 0 ..< count {
            let due = started + .seconds(Double(index) / rate)
            group.addTask {
                try? await Task.sleep(until: due)
                let remaining = limit - (ContinuousClock.now - started)
                return await post("\(gateway)/v1/chat/completions", key: key, index: index, timeout: max(.seconds(1), remaining))
            }
        }
        var results: [Result] = []
        for await result in group { results.append(result) }
        return results
    }
    let wall = seconds(.now - started)
    let throttledAfter = await statistic("\(mock)/mock/stats", ["deployments", "*", "totals", "throttled"]) ?? 0
    let retries = await statistic("\(gateway)/stats", ["upstream_retries"]) ?? 0

    let answered = results.filter { $0.status != nil }
    let ok = answered.filter { $0.status == 200 }
    let tooMany = answered.filter { $0.status == 429 }.count
    let lost = results.count - answered.count
    let errors = answered.count - ok.count
    printLine("""
        overload: \(count) requests offered at \(Int(rate))/s through the gateway
          answered            \(answered.count) (200: \(ok.count), 429: \(tooMany), other: \(errors - tooMany))
          requests lost       \(lost)
          client-visible errors \(errors)
          upstream 429s       \(throttledAfter - throttledBefore) (the mock's count); gateway retries in all: \(retries)
          wall time           \(String(format: "%.1f", wall)) s, \(String(format: "%.1f", Double(ok.count) / wall)) served/s
          latency via gateway p50 \(milliseconds(percentile(ok.map(\.seconds), 0.5))), p99 \(milliseconds(percentile(ok.map(\.seconds), 0.99)))
        overhead: \(probes) sequential requests each, straight to the mock and through the gateway
          straight            p50 \(milliseconds(percentile(straight, 0.5))), p99 \(milliseconds(percentile(straight, 0.99))) (\(straight.count) ok)
          through gateway     p50 \(milliseconds(percentile(through, 0.5))), p99 \(milliseconds(percentile(through, 0.99))) (\(through.count) ok)
          gateway overhead    p50 \(milliseconds(percentile(through, 0.5) - percentile(straight, 0.5))), p99 \(milliseconds(percentile(through, 0.99) - percentile(straight, 0.99)))
        """)
    exit(lost == 0 ? 0 : 1)
}
