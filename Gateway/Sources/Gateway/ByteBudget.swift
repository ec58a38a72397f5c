/// Bytes that may be held at once, shared by every connection: the gateway takes
/// a request's share before reading its body and gives it back once read, so the
/// bodies being read never hold more memory than the configuration allows.
actor ByteBudget {
    /// A share taken; giving it back twice gives it back once.
    struct Share: Hashable, Sendable {
        fileprivate let number: Int
    }

    private let limit: Int
    private var held = 0
    private var shares: [Share: Int] = [:]
    private var taken = 0

    /// A budget of `limit` bytes.
    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `bytes` if they fit.
    func take(_ bytes: Int) -> Share? {
        guard bytes <= limit - held else { return nil }
        held += bytes
        taken += 1
        let share = Share(number: taken)
        shares[share] = bytes
        return share
    }

    /// Gives back a share taken (again: nothing).
    func giveBack(_ share: Share) {
        held -= shares.removeValue(forKey: share) ?? 0
    }
}
