import HTTPTypes
import Hummingbird

/// Answers every error the server itself raises in OpenAI's error shape, so a
/// client that parses `{"error": {...}}` is never handed an empty body: a path
/// the server does not serve (404), a method a path does not take (405, with
/// `Allow`), a body over the limit (413), a request whose client closed its
/// side of the connection first (499, as nginx counts it; a client that only
/// half-closed still reads it), and anything unexpected (500, without its
/// description, which could show internals).
///
/// ```swift
/// router.add(middleware: OpenAIErrorMiddleware(routes: [(.post, "v1/chat/completions")]))
/// ```
public struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The routes served: a path's segments, `:name` matching any one segment.
    private let routes: [(method: HTTPRequest.Method, segments: [Substring])]

    /// Creates the middleware for a server with `routes` (paths without a leading slash).
    public init(routes: [(HTTPRequest.Method, String)]) {
        self.routes = routes.map { ($0.0, $0.1.split(separator: "/")) }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            return answer(error, to: request)
        } catch is CancellationError {
            return JSONReply.error(499, "The client closed its side of the connection before the answer; the request was cancelled.",
                                   type: "invalid_request_error", code: "client_closed_request")
        } catch {
            return JSONReply.error(500, "The server failed on this request; it has been logged. Try again.", type: "server_error", code: "internal_error")
        }
    }

    private func answer(_ error: HTTPError, to request: Request) -> Response {
        let line = "\(request.method) \(request.uri.path)"
        switch error.status {
        case .notFound:
            let allowed = methods(for: request.uri.path)
            guard allowed.isEmpty else {
                let names = allowed.map(\.rawValue).joined(separator: ", ")
                return JSONReply.error(405, "\(line): this path takes \(names).", type: "invalid_request_error",
                                       code: "method_not_allowed", headers: [("allow", names)])
            }
            return JSONReply.error(404, "Invalid URL (\(line)).", type: "invalid_request_error", code: "unknown_url")
        case .contentTooLarge:
            return JSONReply.error(413, error.body ?? "The request body is larger than this server accepts.",
                                   type: "invalid_request_error", code: "request_too_large")
        default:
            let message = error.body ?? "\(error.status.code) \(error.status.reasonPhrase)"
            let type = error.status.code < 500 ? "invalid_request_error" : "server_error"
            return JSONReply.error(error.status.code, message, type: type, code: "http_\(error.status.code)")
        }
    }

    /// The methods that routes matching `path` take.
    private func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        var methods: [HTTPRequest.Method] = []
        for route in routes where route.segments.count == segments.count && !methods.contains(route.method)
            && zip(route.segments, segments).allSatisfy({ $0.first == ":" || $0 == $1 }) {
            methods.append(route.method)
        }
        return methods
    }
}
