extension DecodingError {
    /// Where a configuration file went wrong and how, in words, for an error
    /// message: `deployments[0]: the field "tokensPerMinute" is missing.`
    package var problem: String {
        func place(_ context: Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the top level" : String(keys.drop { $0 == "." })
        }
        switch self {
        case .keyNotFound(let key, let context):
            return "\(place(context)): the field \"\(key.stringValue)\" is missing."
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "\(place(context)): expected \(Self.expectedValues[ObjectIdentifier(type)] ?? "a \(type)")."
        case .dataCorrupted(let context):
            return "\(place(context)): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }

    /// What a field of each type takes, in words.
    private static let expectedValues = [
        ObjectIdentifier(String.self): "a string", ObjectIdentifier(Int.self): "a whole number", ObjectIdentifier(UInt64.self): "a whole number",
        ObjectIdentifier(Double.self): "a number", ObjectIdentifier(Bool.self): "true or false", ObjectIdentifier([Any].self): "a list",
    ]
}
