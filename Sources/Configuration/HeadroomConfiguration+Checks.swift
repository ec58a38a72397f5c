import Foundation

/// What Foundation's decoder does not say: where a file is not JSON, which field
/// holds a number no whole-number field can take, and which field is unknown.
extension HeadroomConfiguration {
    /// The path of the first member of the JSON `value` that the decoded `decoded`
    /// has no field for, or `nil`: a misspelt field must not be silently ignored.
    /// (Walks the JSON and the decoded value together, so the fields are listed nowhere twice.)
    static func unknownField(in value: Any, decodedAs decoded: Any, at path: String) -> String? {
        var mirror = Mirror(reflecting: decoded)
        while mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            mirror = Mirror(reflecting: wrapped)
        }
        switch value {
        case let object as [String: Any] where mirror.displayStyle == .struct:
            let fields = Dictionary(mirror.children.compactMap { child in child.label.map { ($0, child.value) } }, uniquingKeysWith: { a, _ in a })
            for (name, member) in object.sorted(by: { $0.key < $1.key }) {
                let place = path.isEmpty ? name : "\(path).\(name)"
                guard let field = fields[name] else { return place }
                if let found = unknownField(in: member, decodedAs: field, at: place) { return found }
            }
        case let array as [Any] where mirror.displayStyle == .collection:
            for (index, (element, decodedElement)) in zip(array, mirror.children.map(\.value)).enumerated() {
                if let found = unknownField(in: element, decodedAs: decodedElement, at: "\(path)[\(index)]") { return found }
            }
        default:
            break
        }
        return nil
    }

    /// Where an unknown field belongs, when it is one that moved into a section.
    static func hint(for field: String) -> String {
        // Each section's fields, read off the section's own type.
        func fields(of section: Any) -> [String] { Mirror(reflecting: section).children.compactMap(\.label) }
        let sections = [("scheduler", fields(of: SchedulerSettings())), ("engine", fields(of: EngineSettings())),
                        ("gateway", fields(of: GatewaySettings())), ("cache", fields(of: CacheSettings()))]
        if field == "headroom" { return "the scheduler's settings are in \"scheduler\" (see Docs/configuration.md)." }
        if field == "clients" || field == "gateway.clients" {
            return "the gateway's clients are the top-level \"tenants\" (see Docs/configuration.md)."
        }
        if field.hasSuffix(".admitsCrossing") { return "write \"admission\": \"crossing\" (see Docs/configuration.md)." }
        if let section = sections.first(where: { $0.1.contains(field) })?.0 {
            return "it belongs in the \"\(section)\" section (see Docs/configuration.md)."
        }
        return "check its spelling against Docs/configuration.md."
    }

    /// Fields that take whole numbers.
    private static let wholeNumberFields: Set = [
        "tokensPerMinute", "requestsPerMinute", "maxConcurrency", "contextWindow", "count", "seed", "maxTokens", "limit",
        "priorities", "passLimit", "maxQueueLength", "lookahead", "maxAttempts", "defaultMaxTokens", "maxAnswerBytes", "maxKeptAnswerBytes",
        "port", "retryAfterSeconds", "maxConnections", "maxRequestBytes", "maxBufferedRequestBytes", "priority", "maxBytes", "maxEntryBytes", "expectedInstances", "maxEnqueuedTokens", "maxRequests", "tokens",
    ]

    /// Where the file is not JSON, or else the first whole-number field whose
    /// number it cannot hold; `nil` if neither. (Foundation's decoder says
    /// only "not valid JSON" for both, naming neither place nor field.)
    static func syntaxProblem(in data: Data) -> String? {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            // "Invalid value around character 15.": add the line, which is what an editor shows.
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            guard detail.contains("character"), let offset = Int(String(detail.reversed().drop { !$0.isNumber }.prefix { $0.isNumber }.reversed())),
                  offset <= data.count
            else { return "the file is not valid JSON: \(detail)" }
            let line = data.prefix(offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            return "the file is not valid JSON at line \(line): \(detail)"
        }
        func walk(_ value: Any, at path: String, key: String) -> String? {
            switch value {
            case let object as [String: Any]:
                for (name, member) in object.sorted(by: { $0.key < $1.key }) {
                    if let found = walk(member, at: path.isEmpty ? name : "\(path).\(name)", key: name) { return found }
                }
            case let array as [Any]:
                for (index, element) in array.enumerated() {
                    if let found = walk(element, at: "\(path)[\(index)]", key: key) { return found }
                }
            case let number as NSNumber where wholeNumberFields.contains(key):
                let value = number.doubleValue
                if value != value.rounded() { return "\(path) is \(number); it must be a whole number." }
                if key == "seed", !(value >= 0 && value < 1.8e19) { return "seed is \(number); it must be from 0 to 18,446,744,073,709,551,615." }
                if !(value.magnitude < 9.2e18) { return "\(path) is \(number); that is too large for a whole number here." }
            default:
                break
            }
            return nil
        }
        return walk(root, at: "", key: "")
    }
}
