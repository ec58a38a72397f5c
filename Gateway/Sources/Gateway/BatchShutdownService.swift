import HeadroomAdapters
import ServiceLifecycle

/// At a graceful shutdown, lets go of the callers waiting on batches (they are told to come back
/// with their request ids after the restart, when the journal's batches are picked up again), so
/// that the server's drain waits for synchronous requests only, not for batches that run for hours.
struct BatchShutdownService: Service {
    let engine: HeadroomEngine

    func run() async throws {
        // Cancelled instead (the server stopped some other way): the engine's shutdown lets go of them.
        guard (try? await gracefulShutdown()) != nil else { return }
        await engine.stopBatches()
    }
}
