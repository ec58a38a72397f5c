import HeadroomAdapters

/// Which of a client's answers are cached.
public enum CacheMode: String, Hashable, Sendable, Codable, CaseIterable {
    /// None: every request goes upstream, and nothing is stored.
    case off
    /// Only answers a provider would give again (the default): embeddings, and chats
    /// and messages with `temperature` 0 or a `seed`. A sampled answer is not one
    /// answer among equals to hand every caller.
    case repeatable
    /// Every answer, sampled or not: for clients that want the same answer to the same question.
    case all

    /// Whether `request`'s answers are cached in this mode.
    public func caches(_ request: APIRequest) -> Bool {
        caches(repeatable: request.operation == .embeddings || Self.isDeterministic(request))
    }

    /// Whether answers are cached in this mode, given whether a provider would give them again
    /// (what a simulated request says of itself).
    public func caches(repeatable: Bool) -> Bool {
        switch self {
        case .off: false
        case .all: true
        case .repeatable: repeatable
        }
    }

    /// A chat or message whose answer is not sampled: `temperature` 0, or a `seed` set.
    private static func isDeterministic(_ request: APIRequest) -> Bool {
        if request.fields["temperature"]?.integerValue == 0 { return true }
        if let seed = request.fields["seed"], seed != .null { return true }
        return false
    }
}
