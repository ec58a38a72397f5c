import HeadroomCore

/// Finds a deployment's position from the name a client dispatched to, once
/// for every dispatch of a run.
struct DeploymentIndex {
    private let byName: [DeploymentID: Int]

    init(_ names: [DeploymentID]) {
        byName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The position of the deployment named `name` (the first, if two share it), or `nil` if none is.
    func position(of name: DeploymentID) -> Int? {
        byName[name]
    }
}
