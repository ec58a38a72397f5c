import Foundation
import HeadroomAdapters
import HeadroomCore
import HeadroomHTTPClient
import HeadroomServerSupport

// headroom-overhead: what the gateway adds. At each concurrency, a closed loop
// of chat requests straight to an upstream that answers at once, then the same
// through the gateway in front of it, alternately; prints requests a second,
// latency, the latency the gateway adds, and the gateway's CPU a request (read
// from /proc). Gateway/Scripts/overhead.sh starts nginx as the upstream and the
// gateway, then runs this.

let usage = """
    usage: headroom-overhead --gateway http://127.0.0.1:8080 --key KEY --direct http://127.0.0.1:8081/v1 --gateway-pid PID
                             [--levels 1,8,64] [--seconds 10] [--rounds 2]
    """

let transport = AsyncHTTPClientTransport(connectionsPerHost: 1_024)
let body = Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"Say something."}],"max_tokens":16}"#.utf8)

/// One side's run at one concurrency.
struct Run {
    var requests = 0
    var failures = 0
    var latencies: [Double] = []
    var seconds = 0.0
    var cpuSeconds: Double?

    var perSecond: Double { Double(requests) / seconds }
    func percentile(_ q: Double) -> Double {
        let sorted = latencies.sorted()
        return sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]
    }
}

/// `concurrency` clients sending one request after another to `url` for `seconds`.
func run(_ url: String, key: String, concurrency: Int, seconds: Double) async -> Run {
    let request = HTTPRequestData(method: "POST", url: "\(url)/chat/completions",
                                  headers: [HTTPField("authorization", "Bearer \(key)"), HTTPField("content-type", "application/json")],
                                  body: body)
    let started = ContinuousClock.now
    let end = started + .seconds(seconds)
    var total = Run()
    await withTaskGroup(of: Run.self) { group in
        for _ in 0 ..< concurrency {
            group.addTask {
                var mine = Run()
                while ContinuousClock.now < end {
                    let sent = ContinuousClock.now
                    do {
                        let response = try await transport.send(request, timeout: .seconds(30))
                        _ = try await response.collect()
                        if response.status == 200 {
                            mine.requests += 1
                            mine.latencies.append(Double((ContinuousClock.now - sent).nanoseconds) / 1e9)
                        } else {
                            mine.failures += 1
                        }
                    } catch {
                        mine.failures += 1
                    }
                }
                return mine
            }
        }
        for await run in group {
            total.requests += run.requests
            total.failures += run.failures
            total.latencies += run.latencies
        }
    }
    total.seconds = Double((ContinuousClock.now - started).nanoseconds) / 1e9
    return total
}

/// CPU seconds the process has used, user and system, from /proc.
func cpuSeconds(pid: Int) -> Double? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// The process's resident memory in MB, from /proc.
func residentMegabytes(pid: Int) -> String {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return "n/a" }
    return String(format: "%.0f", kilobytes / 1_024)
}

func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1_000) }

await runCommand("headroom-overhead", usage: usage) {
    let options = try CommandOptions(CommandLine.arguments.dropFirst(),
                                      known: ["--gateway", "--key", "--direct", "--gateway-pid", "--levels", "--seconds", "--rounds"])
    guard let gateway = options["--gateway"], let key = options["--key"], let direct = options["--direct"],
          let pid = try options.integer("--gateway-pid") else {
        throw CommandOptions.Problem(description: "--gateway, --key, --direct and --gateway-pid are required.")
    }
    let levels = try (options["--levels"] ?? "1,8,64").split(separator: ",").map { text throws(CommandOptions.Problem) -> Int in
        guard let level = Int(text), (1 ... 1_024).contains(level) else {
            throw CommandOptions.Problem(description: "--levels takes concurrencies from 1 to 1024, separated by commas.")
        }
        return level
    }
    let seconds = try options.number("--seconds") ?? 10
    let rounds = try options.integer("--rounds") ?? 2
    guard seconds >= 1 && seconds <= 3_600, (1 ... 100).contains(rounds) else {
        throw CommandOptions.Problem(description: "--seconds must be from 1 to 3600 and --rounds from 1 to 100.")
    }
    _ = await run(direct, key: key, concurrency: 4, seconds: 1)
    _ = await run("\(gateway)/v1", key: key, concurrency: 4, seconds: 1)
    printLine("| concurrency | round | direct req/s | direct p50 / p99 ms | gateway req/s | gateway p50 / p99 ms | added p50 / p99 ms "
        + "| gateway CPU ms a request | gateway MB after | failures |")
    printLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for level in levels {
        for round in 1 ... rounds {
            let straight = await run(direct, key: key, concurrency: level, seconds: seconds)
            let cpuBefore = cpuSeconds(pid: pid)
            var through = await run("\(gateway)/v1", key: key, concurrency: level, seconds: seconds)
            if let before = cpuBefore, let after = cpuSeconds(pid: pid) { through.cpuSeconds = after - before }
            let cpu = through.cpuSeconds.map { ms($0 / Double(max(1, through.requests))) } ?? "n/a"
            printLine("| \(level) | \(round) | \(Int(straight.perSecond)) | \(ms(straight.percentile(0.5))) / \(ms(straight.percentile(0.99))) | "
                + "\(Int(through.perSecond)) | \(ms(through.percentile(0.5))) / \(ms(through.percentile(0.99))) | "
                + "\(ms(through.percentile(0.5) - straight.percentile(0.5))) / \(ms(through.percentile(0.99) - straight.percentile(0.99))) | "
                + "\(cpu) | \(residentMegabytes(pid: pid)) | \(straight.failures + through.failures) |")
        }
    }
}
