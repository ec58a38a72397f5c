/// Takes secrets and internal addresses out of text that came from outside
/// before the engine passes it on: an upstream's error message (OpenAI's
/// "Incorrect API key provided: sk-…" echoes the key) or a transport error
/// (which names the upstream URL).
///
/// It removes each configured key of eight characters or more, whole or (from
/// sixteen) by its first or last eight characters (providers echo keys masked
/// in the middle), anything shaped like
/// an OpenAI key (`sk-` and what follows), and each configured upstream address,
/// named instead by its deployment.
///
/// ```swift
/// let redaction = Redaction(secrets: ["sk-live-0123456789abcdef"], addresses: ["https://east.openai.azure.com": "east"])
/// redaction.apply("Incorrect API key provided: sk-live-***cdef.")   // "Incorrect API key provided: <redacted>."
/// ```
public struct Redaction: Sendable {
    private let fragments: [String]
    private let addresses: [(address: String, name: String)]

    /// Redacts `secrets`, and each of `addresses` (an upstream's base URL) as the deployment it maps to.
    public init(secrets: [String], addresses: [String: String]) {
        var fragments: Set<String> = []
        // Shorter "secrets" are placeholders (and would take out ordinary words).
        for secret in secrets where secret.count >= Self.shortestSecret {
            fragments.insert(secret)
            if secret.count >= 16 {
                fragments.insert(String(secret.prefix(8)))
                fragments.insert(String(secret.suffix(8)))
            }
        }
        // Longest first, so that a whole key goes before a part of it.
        self.fragments = fragments.sorted { $0.count > $1.count }
        self.addresses = addresses.filter { !$0.key.isEmpty }.map { ($0.key, $0.value) }.sorted { $0.address.count > $1.address.count }
    }

    /// The shortest key redacted: real keys are far longer.
    public static let shortestSecret = 8

    /// `text` with every secret and address taken out.
    public func apply(_ text: String) -> String {
        // Key-shaped text first, so that a masked key goes whole rather than by the part that matches a fragment.
        var result = text.replacing(/sk-[A-Za-z0-9_\-*]{3,}/, with: "<redacted>")
        for (address, name) in addresses { result = result.replacingOccurrences(of: address, with: "<upstream of '\(name)'>") }
        for fragment in fragments { result = result.replacingOccurrences(of: fragment, with: "<redacted>") }
        return result
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement` (the standard library's, for `String` arguments).
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return replacing(target, with: replacement)
    }
}
