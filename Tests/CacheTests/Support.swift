import Foundation
import HeadroomCache
import HeadroomCore
import Synchronization

/// A clock a test sets by hand.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    var now: Date { time.withLock { $0 } }

    func advance(by seconds: Double) {
        time.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    var reader: @Sendable () -> Date { { self.now } }
}

func entry(_ text: String, storedAt: Date = Date(timeIntervalSince1970: 1_800_000_000), deployment: DeploymentID = "east") -> CacheEntry {
    CacheEntry(answer: .body(Array(text.utf8)), usage: Usage(promptTokens: 10, completionTokens: 5), deployment: deployment, storedAt: storedAt)
}

func key(_ n: Int) -> CacheKey {
    var hash = SHA256()
    hash.update(Array("key \(n)".utf8))
    return CacheKey(digest: hash.finalize())
}
