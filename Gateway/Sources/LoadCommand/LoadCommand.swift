import ArgumentParser
import Foundation
import HeadroomAdapters
import HeadroomHTTPClient
import HeadroomCore
import HeadroomServerSupport

// headroom-load: drives a running gateway and mock (loopback only), then
// reports requests lost, upstream 429s, client-visible errors, and the
// gateway's overhead against calling the mock directly.


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

@main
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headroom-load",
        abstract: "Drives a running gateway and mock on loopback, then reports requests lost, 429s, errors and the gateway's overhead.",
        version: HeadroomRelease.version
    )

    @Option(help: "The gateway's URL (loopback only).") var gateway: String
    @Option(help: "A client key of the gateway.") var key: String
    @Option(help: "The mock's URL (loopback only).") var mock: String
    @Option(help: "The mock deployment called straight, for the overhead.") var direct = "direct"
    @Option(help: "Requests offered in the overload run.") var requests = 2_000
    @Option(help: "Requests a second in the overload run.") var rate = 80.0
    @Option(help: "Sequential requests each way, for the overhead.") var probes = 100
    @Option(help: "The longest the overload run may take, in seconds.") var limitSeconds = 300.0

    func validate() throws {
        for url in [gateway, mock] where !isLoopback(url) {
            throw ValidationError("\(url) is not on loopback; the load test only runs against 127.0.0.1 or localhost.")
        }
        guard (1 ... 100_000).contains(requests), (1 ... 10_000).contains(probes), rate > 0 && rate <= 10_000,
              limitSeconds >= 1 && limitSeconds <= 86_400 else {
            throw ValidationError("--requests must be 1 to 100000, --probes 1 to 10000, --rate above 0 and at most 10000, --limit-seconds 1 to 86400.")
        }
    }

    func run() async throws {
        let (gateway, key, mock, direct, count, rate, probes) = (self.gateway, self.key, self.mock, self.direct, requests, self.rate, self.probes)
        let limit = Duration.seconds(limitSeconds)

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
        let results = await openLoop(count: count, perSecond: rate) { index, started in
            let remaining = limit - (ContinuousClock.now - started)
            return await post("\(gateway)/v1/chat/completions", key: key, index: index, timeout: max(.seconds(1), remaining))
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
        if lost > 0 { throw ExitCode.failure }
    }
}
