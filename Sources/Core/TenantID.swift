/// A tenant as the scheduler and its queue policies know it: a small number for
/// each distinct ``Job/tenant`` name, given in the order the names first arrive
/// (so runs are repeatable), and ``none`` for jobs that name none.
/// ``Scheduler/tenantName(_:)`` gives the name back.
public struct TenantID: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// 0 for ``none``; the first tenant named is 1.
    public let rawValue: UInt32

    /// A tenant's number.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Jobs that name no tenant.
    public static let none = TenantID(rawValue: 0)

    public var description: String { self == .none ? "no tenant" : "tenant \(rawValue)" }
}
