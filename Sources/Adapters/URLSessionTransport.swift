import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HeadroomCore
import Synchronization

/// Sends requests with `URLSession` (FoundationNetworking on Linux), streaming
/// each response's body as it arrives.
///
/// `timeout` bounds how long the request may go without receiving anything
/// (`URLRequest.timeoutInterval`). Cancelling the calling task, or dropping the
/// body stream, cancels the request.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let delegate: StreamingDelegate

    /// Creates a transport with its own session (by default ``defaultConfiguration``).
    public init(configuration: URLSessionConfiguration = URLSessionTransport.defaultConfiguration) {
        let delegate = StreamingDelegate()
        self.delegate = delegate
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    /// An ephemeral configuration that allows 256 connections to a host instead
    /// of URLSession's 6 (the scheduler, not the connection pool, decides how
    /// many requests a deployment has in flight) and caches nothing: API answers
    /// are never cached, and FoundationNetworking's cache has been seen to trap
    /// on tasks cancelled in flight (swift-corelibs-foundation issues 3292, 3296).
    public static var defaultConfiguration: URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 256
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return configuration
    }

    deinit {
        // Responses may still be streaming to their readers: let them finish.
        session.finishTasksAndInvalidate()
    }

    public func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseStream {
        guard let url = URL(string: request.url), url.scheme != nil else {
            throw HeadroomError(.invalidConfiguration, "'\(request.url)' is not a URL; check the deployment's endpoint or base URL.")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        urlRequest.httpBody = Data(request.body)
        let (seconds, attoseconds) = timeout.components
        urlRequest.timeoutInterval = max(0.001, Double(seconds) + Double(attoseconds) * 1e-18)
        let task = session.dataTask(with: urlRequest)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { head in
                delegate.start(task, head: head)
            }
        } onCancel: {
            delegate.cancel(task)
        }
    }
}

/// Hands each task's response head to its caller, then its body chunk by chunk.
private final class StreamingDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private struct Pending {
        var head: CheckedContinuation<HTTPResponseStream, any Error>?
        var body: AsyncThrowingStream<[UInt8], any Error>.Continuation?
        /// Cancelled before it started: it never starts, and its caller is answered at once.
        var cancelledEarly = false
    }

    private let tasks = Mutex<[Int: Pending]>([:])

    func start(_ task: URLSessionDataTask, head: CheckedContinuation<HTTPResponseStream, any Error>) {
        let cancelled = tasks.withLock { tasks in
            guard tasks[task.taskIdentifier]?.cancelledEarly != true else {
                tasks[task.taskIdentifier] = nil
                return true
            }
            tasks[task.taskIdentifier] = Pending(head: head)
            return false
        }
        // A task cancelled before it was resumed may never tell its delegate anything.
        if cancelled { head.resume(throwing: CancellationError()) } else { task.resume() }
    }

    /// Cancels `task`, started or not.
    func cancel(_ task: URLSessionDataTask) {
        let started = tasks.withLock { tasks in
            guard tasks[task.taskIdentifier] != nil else {
                // Not started yet (or over already, when nothing is left to do).
                if task.state != .completed { tasks[task.taskIdentifier] = Pending(cancelledEarly: true) }
                return false
            }
            return true
        }
        if started { task.cancel() }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let (body, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        continuation.onTermination = { termination in
            if case .cancelled = termination { dataTask.cancel() }
        }
        let head = tasks.withLock { state -> CheckedContinuation<HTTPResponseStream, any Error>? in
            let head = state[dataTask.taskIdentifier]?.head
            state[dataTask.taskIdentifier]?.head = nil
            state[dataTask.taskIdentifier]?.body = continuation
            return head
        }
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        head?.resume(returning: HTTPResponseStream(status: http?.statusCode ?? 0, headers: headers, body: body))
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let body = tasks.withLock { $0[dataTask.taskIdentifier]?.body }
        body?.yield(Array(data))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let pending = tasks.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        pending?.head?.resume(throwing: error ?? URLError(.badServerResponse))
        if let error { pending?.body?.finish(throwing: error) } else { pending?.body?.finish() }
    }
}
