import NIOConcurrencyHelpers

/// One API request's place in the gateway's counts: counted when it arrives and
/// ended exactly once, however it ends. A request dropped without an ending (its
/// client gone before an answer could start) ends as cancelled when its tally goes.
final class RequestTally: Sendable {
    private let state: GatewayState
    private let started = ContinuousClock.now
    private let isEnded = NIOLockedValueBox(false)

    /// A tally for a request that has just arrived (count it with ``GatewayState/received()``).
    init(_ state: GatewayState) {
        self.state = state
    }

    /// Ends the request with `outcome`, unless it has ended already.
    func end(_ outcome: GatewayState.Outcome) async {
        guard claim() else { return }
        await state.ended(outcome)
    }

    /// Ends the request as served, with its latency from arrival.
    func succeed() async {
        await end(.succeeded(latency: .now - started))
    }

    deinit {
        guard claim() else { return }
        let state = state
        Task { await state.ended(.cancelled) }
    }

    /// Whether this call is the one that ends the request.
    private func claim() -> Bool {
        isEnded.withLockedValue { ended in
            defer { ended = true }
            return !ended
        }
    }
}
