/// The name of a deployment, unique within one scheduler, e.g. `"azure-eastus-gpt4o"`.
public struct DeploymentID: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name as the user configured it.
    public var rawValue: String

    /// Creates an identifier from a name.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates an identifier from a string literal: `let id: DeploymentID = "east"`.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }
}
