import Foundation
import HeadroomAdapters
import HeadroomHTTPClient
import HeadroomCore
import HeadroomServerSupport

// headroom-soak: holds a running gateway (loopback only) at a steady rate for a
// long time with a mix of good, bad and abandoned requests, then reports every
// request's fate and whether the mock served any of them twice.
// Gateway/Scripts/soak.sh starts the mock and the gateway and watches the
// gateway's memory and descriptors.

let usage = """
    usage: headroom-soak --gateway http://127.0.0.1:8080 --key KEY --mock http://127.0.0.1:9000 [--seconds 600] [--rate 40]
    """

/// What one request is, in the mix: twenty kinds in turn, by the request's number.
enum Kind: String, CaseIterable {
    case chat, stream, embedding, invalid, tooLarge, unknownModel, abandoned, flaky

    /// 13 chats, 2 streams, 1 embedding, 1 bad request (three kinds in turn), 2 abandoned, 1 for the flaky deployment.
    init(number: Int) {
        switch number % 20 {
        case 0 ..< 13: self = .chat
        case 13, 14: self = .stream
        case 15: self = .embedding
        case 16: self = [.invalid, .tooLarge, .unknownModel][(number / 20) % 3]
        case 17, 18: self = .abandoned
        default: self = .flaky
        }
    }
}

/// One request's fate: the status it got, or none.
struct Fate: Sendable {
    var kind: Kind
    var status: Int?
}

// As many connections as requests in flight: a waiting request holds one.
let transport = AsyncHTTPClientTransport(connectionsPerHost: 16_384)

func send(_ number: Int, kind: Kind, gateway: String, key: String) async -> Fate {
    let user = #""user":"soak-\#(number)""#
    let chat = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Soak request \#(number)."}],"max_tokens":40,\#(user)"#
    let (path, body): (String, String) = switch kind {
    case .chat, .abandoned: ("chat/completions", chat + "}")
    case .stream: ("chat/completions", chat + #","stream":true}"#)
    case .embedding: ("embeddings", #"{"model":"gpt-4o","input":["soak \#(number)"]}"#)
    case .invalid: ("chat/completions", #"{"model":"gpt-4o","messages":"#)
    case .tooLarge: ("chat/completions", #"{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"max_tokens":9223372036854775807}"#)
    case .unknownModel: ("chat/completions", #"{"model":"gpt-9","messages":[{"role":"user","content":"x"}],\#(user)}"#)
    case .flaky: ("chat/completions", #"{"model":"flaky","messages":[{"role":"user","content":"Soak request \#(number)."}],"max_tokens":40,\#(user)}"#)
    }
    let request = HTTPRequestData(method: "POST", url: "\(gateway)/v1/\(path)",
                                  headers: [HTTPField("authorization", "Bearer \(key)"), HTTPField("content-type", "application/json")],
                                  body: Array(body.utf8))
    // An abandoned request gives up after 0 to 1.8 s, queued or in flight; the others wait up to two minutes.
    let patience: Duration = kind == .abandoned ? .milliseconds(300 * (number % 7)) : .seconds(120)
    do {
        return try await withThrowingTaskGroup(of: Fate?.self) { group in
            group.addTask {
                let response = try await transport.send(request, timeout: .seconds(120))
                _ = try await response.collect()
                return Fate(kind: kind, status: response.status)
            }
            group.addTask {
                try await Task.sleep(for: patience)
                return nil
            }
            let fate = try await group.next() ?? nil
            group.cancelAll()
            return fate ?? Fate(kind: kind, status: nil)
        }
    } catch {
        return Fate(kind: kind, status: nil)
    }
}

/// The JSON document at `url`, at a path of keys.
func statistic(_ url: String, _ path: [String]) async -> Any? {
    guard let response = try? await transport.send(HTTPRequestData(method: "GET", url: url, headers: [], body: []), timeout: .seconds(10)),
          let body = try? await response.collect(), var value = try? JSONSerialization.jsonObject(with: Data(body)) else { return nil }
    for key in path { value = (value as? [String: Any])?[key] as Any }
    return value
}

await runCommand("headroom-soak", usage: usage) {
    let options = try CommandOptions(CommandLine.arguments.dropFirst(), known: ["--gateway", "--key", "--mock", "--seconds", "--rate"])
    guard let gateway = options["--gateway"], let key = options["--key"], let mock = options["--mock"] else {
        throw CommandOptions.Problem(description: "--gateway, --key and --mock are required.")
    }
    for url in [gateway, mock] where !isLoopback(url) {
        throw CommandOptions.Problem(description: "\(url) is not on loopback; the soak only runs against 127.0.0.1 or localhost.")
    }
    let seconds = try options.number("--seconds") ?? 600
    let rate = try options.number("--rate") ?? 40
    guard seconds >= 1 && seconds <= 86_400, rate > 0 && rate <= 10_000 else {
        throw CommandOptions.Problem(description: "--seconds must be from 1 to 86400 and --rate above 0 and at most 10000.")
    }
    let count = Int(seconds * rate)
    let fates = await openLoop(count: count, perSecond: rate) { number, _ in
        await send(number, kind: Kind(number: number), gateway: gateway, key: key)
    }
    // Abandoned requests end at the gateway a moment after their client gives up.
    try await Task.sleep(for: .seconds(2))
    let abandoned = fates.filter { $0.kind == .abandoned && $0.status == nil }.count
    let lost = fates.filter { $0.kind != .abandoned && $0.status == nil }.count
    let byStatus = Dictionary(grouping: fates.compactMap(\.status), by: { $0 }).mapValues(\.count).sorted { $0.key < $1.key }
    let servedAgain = await statistic("\(mock)/mock/stats", ["served_again"]) as? Int ?? -1
    // Every request the gateway counted, less those that ended.
    let counts = await statistic("\(gateway)/stats", ["requests"]) as? [String: Int] ?? [:]
    let ended = ["succeeded", "failed", "rejected", "invalid", "unauthorized", "cancelled"].compactMap { counts[$0] }.reduce(0, +)
    let inProgress = counts["total"].map { $0 - ended } ?? -1
    let perKind = Kind.allCases.map { kind in
        let mine = fates.filter { $0.kind == kind }
        let statuses = Dictionary(grouping: mine.compactMap(\.status), by: { $0 }).mapValues(\.count).sorted { $0.key < $1.key }
        return "  \(kind.rawValue): \(mine.count), " + statuses.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
    }
    printLine("""
        soak: \(count) requests at \(rate)/s for \(Int(seconds)) s through the gateway
        answered by status: \(byStatus.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        \(perKind.joined(separator: "\n"))
        abandoned by the client on purpose: \(abandoned)
        lost (no answer, not abandoned): \(lost)
        served twice upstream: \(servedAgain)
        requests the gateway still counts in progress: \(inProgress)
        """)
    exit(lost == 0 && servedAgain == 0 && inProgress == 0 ? 0 : 1)
}
