import HeadroomAdapters
import HeadroomSharedCapacity
import ServiceLifecycle

/// Renews the gateway's leases while the server runs, and stops at a graceful shutdown.
struct SharedCapacityService: Service {
    let shared: SharedCapacity

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await shared.run()
        }
    }
}

extension HeadroomEngine: SharedCapacityMember {}
