import Foundation

/// Runs `send` for requests `0 ..< count` at `rate` a second from now, open loop:
/// each starts when it falls due, however long the others take, as independent
/// clients arrive. `send` gets the request's number and when the run started.
///
/// ```swift
/// let statuses = await openLoop(count: 2_000, perSecond: 80) { number, _ in await post(number) }
/// ```
public func openLoop<Result: Sendable>(
    count: Int, perSecond rate: Double, _ send: @escaping @Sendable (Int, ContinuousClock.Instant) async -> Result
) async -> [Result] {
    let started = ContinuousClock.now
    return await withTaskGroup(of: Result.self, returning: [Result].self) { group in
        for number in 0 ..< count {
            let due = started + .seconds(Double(number) / rate)
            group.addTask {
                try? await Task.sleep(until: due)
                return await send(number, started)
            }
        }
        var results: [Result] = []
        for await result in group { results.append(result) }
        return results
    }
}

/// Whether `url` names this machine's loopback interface: the load tools send only there.
public func isLoopback(_ url: String) -> Bool {
    URL(string: url)?.host.map { ["127.0.0.1", "localhost", "::1"].contains($0) } ?? false
}
