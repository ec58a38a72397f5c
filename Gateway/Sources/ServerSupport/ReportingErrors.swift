import ArgumentParser
import HeadroomCore

/// The version the command-line tools report (`--version`).
public enum HeadroomRelease {
    /// This version.
    public static let version = "0.1.0"
}

/// Runs a command's `body`; an error is reported on standard error after the
/// command's name, as a sentence, and the command exits with status 1.
public func reportingErrors(_ name: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as HeadroomError {
        printError("\(name): \(error.message)")
        throw ExitCode.failure
    } catch {
        printError("\(name): \(error)")
        throw ExitCode.failure
    }
}
