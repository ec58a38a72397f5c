import HeadroomAdapters
import HeadroomCache
import HeadroomCore

/// The clients allowed in, found by the key they present.
struct ClientRegistry: Sendable {
    /// One client (a tenant with a key): its key, priority, and which answers are cached for it, where.
    struct Client: Sendable {
        let index: Int
        let name: String
        let key: APIKey
        let priority: Int
        let cacheMode: CacheMode
        let cacheNamespace: String
        /// Whether its requests go to batch unless one says otherwise.
        let batch: Bool
    }

    let clients: [Client]

    /// Resolves the configured clients, reading keys from `environment`; a client that names no
    /// cache mode takes `cacheMode`.
    init(_ entries: [GatewayConfiguration.Client], cacheMode: CacheMode = .off, environment: [String: String]) throws(HeadroomError) {
        var clients: [Client] = []
        for (index, entry) in entries.enumerated() {
            let key: APIKey
            if let name = entry.keyEnvironment {
                do {
                    key = try APIKey(environment: name, in: environment)
                } catch {
                    throw HeadroomError(.invalidConfiguration, "Tenant '\(entry.name)': \(error.message)")
                }
            } else {
                key = APIKey(entry.key ?? "")
            }
            guard !key.value.isEmpty else {
                throw HeadroomError(.invalidConfiguration, "Tenant '\(entry.name)': the key is empty; give it a secret.")
            }
            guard !clients.contains(where: { $0.key == key }) else {
                throw HeadroomError(.invalidConfiguration, "Tenant '\(entry.name)' has the same key as another; give each its own.")
            }
            let namespace = entry.cacheNamespace ?? entry.name
            guard !namespace.isEmpty, namespace.utf8.count <= 200 else {
                throw HeadroomError(.invalidConfiguration, "Tenant '\(entry.name)': cacheNamespace must be 1 to 200 bytes.")
            }
            clients.append(Client(index: index, name: entry.name, key: key, priority: entry.priority ?? 0,
                                  cacheMode: entry.cache ?? cacheMode, cacheNamespace: namespace, batch: entry.batch ?? false))
        }
        self.clients = clients
    }

    /// The client whose key an `Authorization: Bearer KEY` header carries, or `nil`.
    /// Every key is compared in full, so timing tells nothing about which bytes matched.
    func client(authorization: String?) -> Client? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let presented = Array(authorization.utf8.dropFirst(7))
        var found: Client?
        for client in clients where Self.constantTimeEqual(Array(client.key.value.utf8), presented) {
            found = client
        }
        return found
    }

    /// Whether two keys are equal, comparing every byte whatever they hold.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0 ..< max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
