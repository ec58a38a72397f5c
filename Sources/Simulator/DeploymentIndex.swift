import HeadroomCore

/// Finds a deployment's position from the name a client dispatched to, once
/// for every dispatch of a run.
///
/// A few names are searched in order: comparing short names is cheaper than
/// hashing one. Many are looked up by hash.
struct DeploymentIndex {
    /// The most names searched in order.
    static let searchedInOrder = 16

    private let names: [DeploymentID]
    private let byName: [DeploymentID: Int]

    init(_ names: [DeploymentID]) {
        self.names = names
        byName = names.count > Self.searchedInOrder
            ? Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            : [:]
    }

    /// The position of the deployment named `name` (the first, if two share it), or `nil` if none is.
    func position(of name: DeploymentID) -> Int? {
        names.count > Self.searchedInOrder ? byName[name] : names.firstIndex(of: name)
    }
}
