import Foundation
import HeadroomCore

/// A secret that never shows itself: descriptions, logs and errors print `<redacted>`.
///
/// ```swift
/// let key = try APIKey(environment: "AZURE_OPENAI_KEY")
/// print(key)   // <redacted>
/// ```
public struct APIKey: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself, for the request's header only.
    public let value: String

    /// Wraps a key.
    public init(_ value: String) {
        self.value = value
    }

    /// Reads the key from the environment variable `name`.
    ///
    /// - Throws: ``HeadroomError/Kind/invalidConfiguration`` naming the variable (never its value).
    public init(environment name: String, in environment: [String: String] = ProcessInfo.processInfo.environment) throws(HeadroomError) {
        guard let value = environment[name], !value.isEmpty else {
            throw HeadroomError(.invalidConfiguration, "The environment variable \(name) is not set or empty; set it to the API key.")
        }
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
