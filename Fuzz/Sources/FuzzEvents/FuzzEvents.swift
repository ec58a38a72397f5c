import Foundation
import HeadroomAdapters

/// A provider's event stream, in chunks as a transport hands them over (the first
/// byte sets the chunk size), split into events with a small bound, each event
/// read as JSON, as the engine and its callers do.
func fuzzEvents(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let chunkSize = Int(first) + 1
    let (body, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
    var start = 1
    while start < bytes.count {
        continuation.yield(Array(bytes[start ..< min(bytes.count, start + chunkSize)]))
        start += chunkSize
    }
    continuation.finish()
    let done = DispatchSemaphore(value: 0)
    Task {
        var events = ServerSentEvents(body, maxEventBytes: 4_096).makeAsyncIterator()
        while let event = try? await events.next() { _ = try? JSONValue(parsing: event) }
        _ = events.completed
        done.signal()
    }
    done.wait()
    return 0
}
