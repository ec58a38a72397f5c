import HeadroomCore

extension HeadroomConfiguration {
    /// Each tenant's budgets, checked: one of each period and kind a tenant, and a spend only
    /// with a `prices` section to count it by.
    public func budgets() throws(HeadroomError) -> [String: [Budget]] {
        var budgets: [String: [Budget]] = [:]
        for tenant in tenants ?? [] {
            var seen: Set<String> = []
            for settings in tenant.budgets ?? [] {
                let budget = try settings.budget(tenant: tenant.name)
                guard seen.insert(budget.name).inserted else {
                    throw HeadroomError(.invalidConfiguration, "Tenant '\(tenant.name)' has two \(budget.name) budgets; give one of each period and kind.")
                }
                if case .spend = budget.amount, prices?.isEmpty ?? true {
                    throw HeadroomError(.invalidConfiguration,
                                        "Tenant '\(tenant.name)' has a spend budget, but there is no \"prices\" section to count spend by; add one, or budget tokens.")
                }
                budgets[tenant.name, default: []].append(budget)
            }
        }
        return budgets
    }
}
