import HeadroomAdapters
import HeadroomCore

/// Which header fields pass through the gateway: names matched without regard
/// to case, exactly or, for a pattern ending in `*`, by prefix (`x-ratelimit-*`).
struct HeaderAllowList: Sendable {
    private let names: Set<String>
    private let prefixes: [String]

    /// An allow-list of `patterns`; `field` names the configuration's field in errors.
    /// Credentials and the fields HTTP itself manages are refused (``APIRequest/reservedHeaderNames``).
    init(_ patterns: [String], field: String) throws(HeadroomError) {
        var names: Set<String> = []
        var prefixes: [String] = []
        for pattern in patterns {
            let lowered = pattern.lowercased()
            let name = lowered.hasSuffix("*") ? String(lowered.dropLast()) : lowered
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
                throw HeadroomError(.invalidConfiguration, "\(field): '\(pattern)' is not a header name (or a prefix ending in *).")
            }
            guard !APIRequest.reservedHeaderNames.contains(where: { lowered.hasSuffix("*") ? $0.hasPrefix(name) : $0 == name }) else {
                throw HeadroomError(.invalidConfiguration,
                                    "\(field): '\(pattern)' would pass a credential or a field HTTP manages; those never pass through.")
            }
            if lowered.hasSuffix("*") { prefixes.append(name) } else { names.insert(name) }
        }
        self.names = names
        self.prefixes = prefixes
    }

    /// Whether the field `name` passes.
    func allows(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return names.contains(lowered) || prefixes.contains { lowered.hasPrefix($0) }
    }

    /// The fields of `headers` that pass.
    func filter(_ headers: [String: String]) -> [(String, String)] {
        headers.filter { allows($0.key) }.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
    }

    /// RFC 9110's token characters.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a") ... UInt8(ascii: "z"), UInt8(ascii: "0") ... UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
