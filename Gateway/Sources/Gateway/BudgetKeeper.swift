import Foundation
import HeadroomCore
import HeadroomRedis
import Logging
import Synchronization

/// The gateway's tenants' budgets (``HeadroomCore/BudgetLedger``), on the wall clock: refuses a
/// request whose tenant has spent one, counts what each served request cost and used, logs a
/// budget's soft share once a period, and keeps the counts across restarts: in Redis when the
/// configuration shares state (every gateway adds to one total a budget and period, and adopts the
/// total Redis answers), otherwise in a local file written at most once a second and at shutdown.
final class BudgetKeeper: Sendable {
    /// Where the counts are kept.
    enum Store: Sendable {
        /// A JSON file, replaced whole (written beside it, then renamed over it).
        case file(String)
        /// Redis, under `headroom:budget:<namespace>:` keys that lapse a day after their period.
        case redis(RedisClient, namespace: String)
    }

    private struct Kept {
        var ledger: BudgetLedger
        /// Counted since the file was last written.
        var dirty = false
        /// Redis or the file failed this many times.
        var storeErrors = 0
    }

    private let kept: Mutex<Kept>
    let store: Store
    private let logger: Logger
    private let now: @Sendable () -> Double

    /// A keeper of `budgets`, keeping its counts in `store`.
    init(budgets: [String: [Budget]], store: Store, logger: Logger,
         now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        kept = Mutex(Kept(ledger: BudgetLedger(budgets: budgets)))
        self.store = store
        self.logger = logger
        self.now = now
    }

    /// The error refusing a request of `tenant` now, if a budget of its is spent.
    func refusal(for tenant: String) -> HeadroomError? {
        let now = now()
        return kept.withLock { $0.ledger.refusal(for: tenant, at: now) }
    }

    /// Counts a request of `tenant` served with `usage`, which cost `cost` (`nil`: unpriced).
    func spent(_ usage: Usage, cost: Double?, tenant: String) {
        let now = now()
        let (crossed, budgets) = kept.withLock { kept in
            kept.dirty = true
            return (kept.ledger.record(tenant: tenant, cost: cost, tokens: usage.totalTokens, at: now), kept.ledger.budgets[tenant] ?? [])
        }
        for status in crossed {
            logger.warning("budget nearly spent", metadata: [
                "client": "\(status.tenant)", "budget": "\(status.budget)", "used": "\(status.used)", "limit": "\(status.limit)",
                "resets_at": "\(status.resetsAtText)",
            ])
        }
        guard case .redis(let redis, let namespace) = store, !budgets.isEmpty else { return }
        // Added to the shared totals off the request's path; each total Redis answers is adopted.
        Task {
            for budget in budgets {
                let amount: Double
                switch budget.amount {
                case .spend: amount = cost ?? 0
                case .tokens: amount = Double(usage.totalTokens)
                }
                guard amount > 0 else { continue }
                let (start, end) = budget.period.bounds(containing: now)
                let key = Self.key(namespace, tenant, budget.name, start)
                do {
                    let total = try await redis.send(["INCRBYFLOAT", key, "\(amount)"])
                    _ = try await redis.send(["PEXPIREAT", key, "\((end + 86_400) * 1_000)"])
                    if let value = Self.number(total) { adopt(value, tenant: tenant, budget: budget.name, periodStart: start) }
                } catch {
                    failed("adding to \(budget.name) of \(tenant)", error)
                }
            }
        }
    }

    /// Every budget's status now.
    func statuses() -> [BudgetStatus] {
        let now = now()
        return kept.withLock { $0.ledger.statuses(at: now) }
    }

    /// How many times Redis or the file failed.
    var storeErrors: Int { kept.withLock { $0.storeErrors } }

    // MARK: Keeping

    /// Reads the counts kept for the current periods: the file's, or Redis's totals.
    func load() async {
        switch store {
        case .file(let path):
            guard FileManager.default.fileExists(atPath: path) else { return }
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                // Bounded: a budget file has a line a tenant and budget, not megabytes.
                guard data.count <= 16 << 20 else { throw HeadroomError(.invalidConfiguration, "it is larger than 16 MiB") }
                let state = try JSONDecoder().decode(BudgetLedger.State.self, from: data)
                kept.withLock { $0.ledger.restore(state) }
            } catch {
                failed("reading \(path)", error)
            }
        case .redis(let redis, let namespace):
            let now = now()
            for status in statuses() {
                let start = status.period.bounds(containing: now).start
                do {
                    let total = try await redis.send(["GET", Self.key(namespace, status.tenant, status.budget, start)])
                    if let value = Self.number(total) { adopt(value, tenant: status.tenant, budget: status.budget, periodStart: start) }
                } catch {
                    failed("reading \(status.budget) of \(status.tenant)", error)
                }
            }
        }
    }

    /// Writes the file if anything was counted since it was last written (Redis keeps itself).
    func save() {
        guard case .file(let path) = store else { return }
        guard let state = kept.withLock({ kept -> BudgetLedger.State? in
            defer { kept.dirty = false }
            return kept.dirty ? kept.ledger.state : nil
        }) else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let temporary = path + ".writing"
            try encoder.encode(state).write(to: URL(fileURLWithPath: temporary))
            // A rename replaces the file whole: a crash leaves the old one or the new one, never half of either.
            guard rename(temporary, path) == 0 else { throw HeadroomError(.invalidConfiguration, "renaming \(temporary) failed (errno \(errno))") }
        } catch {
            kept.withLock { $0.dirty = true }
            failed("writing \(path)", error)
        }
    }

    private func adopt(_ total: Double, tenant: String, budget: String, periodStart: Int64) {
        kept.withLock { $0.ledger.adopt(total, tenant: tenant, budget: budget, periodStart: periodStart) }
    }

    private func failed(_ doing: String, _ error: any Error) {
        let count = kept.withLock { kept in
            kept.storeErrors += 1
            return kept.storeErrors
        }
        // The first failure and every hundredth after it: a store that is down does not flood the log.
        if count % 100 == 1 { logger.warning("budget store failed", metadata: ["doing": "\(doing)", "error": "\(error)", "failures": "\(count)"]) }
    }

    /// The number a Redis reply holds (`nil`: a missing key).
    static func number(_ reply: RESPValue) -> Double? {
        reply.bytes.flatMap { Double(String(decoding: $0, as: UTF8.self)) }
    }

    /// The Redis key of `budget` of `tenant` for the period that starts at `start`.
    static func key(_ namespace: String, _ tenant: String, _ budget: String, _ start: Int64) -> String {
        "headroom:budget:\(namespace):\(tenant):\(budget):\(start)"
    }
}
