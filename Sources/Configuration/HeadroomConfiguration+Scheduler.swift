import HeadroomCore

extension HeadroomConfiguration {
    /// The scheduler's view of every deployment, with the defaults of its provider in `registry`.
    public func schedulerDeployments(registry: Registry = .standard) throws(HeadroomError) -> [Deployment] {
        var seen: Set<String> = []
        return try deployments.map { settings throws(HeadroomError) -> Deployment in
            guard seen.insert(settings.id).inserted else {
                throw HeadroomError(.invalidConfiguration, "Two deployments are named '\(settings.id)'; give each its own id.")
            }
            return try settings.deployment(registry: registry)
        }
    }

    /// The scheduler's configuration: the `scheduler` section's, with each tenant's limits.
    public func schedulerConfiguration() throws(HeadroomError) -> SchedulerConfiguration {
        var configuration = try (scheduler ?? SchedulerSettings()).configuration()
        var names: Set<String> = []
        for tenant in tenants ?? [] {
            guard names.insert(tenant.name).inserted else {
                throw HeadroomError(.invalidConfiguration, "Two tenants are named '\(tenant.name)'; give each its own name.")
            }
            if tenant.limits != TenantLimits() { configuration.tenantLimits[tenant.name] = tenant.limits }
        }
        _ = try budgets()
        if let shared = sharedState {
            // Checked here, where every program reads the file.
            _ = try shared.rules()
            _ = try shared.timeout()
            _ = try shared.names()
        }
        try configuration.validate()
        return configuration
    }

    /// A scheduler with the policies the `scheduler` section names in `registry`, over every deployment,
    /// starting with `initialShare` of each.
    package func schedulerEvents(registry: Registry, initialShare: Double = 1) throws(HeadroomError) -> any SchedulerEvents {
        let settings = scheduler ?? SchedulerSettings()
        var configuration = try schedulerConfiguration()
        configuration.initialShare = initialShare
        let deployments = try schedulerDeployments(registry: registry)
        func make<Queue: QueuePolicy, Allocation: AllocationPolicy>(_ queue: Queue, _ allocation: Allocation) throws(HeadroomError) -> any SchedulerEvents {
            try Scheduler(deployments: deployments, queue: queue, allocation: allocation, configuration: configuration)
        }
        return try make(registry.queue(for: settings), registry.allocation(for: settings))
    }
}
