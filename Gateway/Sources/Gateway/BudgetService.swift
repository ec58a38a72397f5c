import ServiceLifecycle

/// Writes the budget file once a second while the server runs (when anything was counted), and
/// once more at a graceful shutdown; with Redis it has nothing to write.
struct BudgetService: Service {
    let budgets: BudgetKeeper

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: .seconds(1))) != nil { budgets.save() }
        }
        budgets.save()
    }
}
