extension CachingEngine {
    /// How the cache answers a request it applies to.
    enum Resolution<Answer> {
        /// With this entry, its answer in the request's form, this old (`coalesced`: handed over by an
        /// identical request in flight).
        case hit(CacheEntry, Answer, age: Duration, coalesced: Bool)
        /// Not: go upstream. A leader tells its followers how it ends (``Coalescer/land(_:with:)``,
        /// ``Coalescer/abandon(_:)``).
        case fetch(leading: Bool)
    }

    /// Looks the request up (unless `no-cache`), and else joins an identical request in flight or
    /// leads one. `usable` gives an entry's answer in the request's form (a body, or a stream's events), if it is in it.
    func resolve<Answer>(_ key: CacheKey, _ directives: CacheDirectives, usable: (CacheEntry) -> Answer?) async throws -> Resolution<Answer> {
        // A request that must not be answered from the cache does not wait for another's answer either.
        if directives.noCache { return .fetch(leading: false) }
        if let (entry, age) = await lookUp(key, directives), let answer = usable(entry) { return .hit(entry, answer, age: age, coalesced: false) }
        while true {
            switch await flights.join(key) {
            case .lead:
                // Another leader may have stored it between the lookup and joining.
                if let (entry, age) = await lookUp(key, directives), let answer = usable(entry) {
                    await flights.land(key, with: entry)
                    return .hit(entry, answer, age: age, coalesced: false)
                }
                return .fetch(leading: true)
            case .answered(let entry):
                if let answer = usable(entry) { return .hit(entry, answer, age: .zero, coalesced: true) }
            case .alone:
                return .fetch(leading: false)
            case .cancelled:
                throw CancellationError()
            }
        }
    }
}
