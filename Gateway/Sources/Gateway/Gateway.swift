import Foundation
import HeadroomAdapters
import HeadroomCache
import HeadroomRedis
import HeadroomConfiguration
import HeadroomHTTPClient
import HeadroomCore
import HeadroomServerSupport
import HeadroomSharedCapacity
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// An OpenAI-compatible HTTP front for the live engine: point an OpenAI client
/// at it and its requests are scheduled across the configured deployments.
///
/// Routes: `POST /v1/chat/completions` (streaming or not), `POST /v1/embeddings`,
/// `GET /v1/models`; `GET /stats` (JSON), `GET /metrics` (Prometheus),
/// `GET /healthz`, `GET /readyz`.
///
/// ```swift
/// let gateway = try Gateway(configuration: .load(path: "gateway.json"))
/// try await gateway.run()   // until SIGTERM or SIGINT; then finishes what is under way
/// ```
public struct Gateway: Sendable {
    /// The engine that schedules and sends the requests.
    public let engine: HeadroomEngine
    /// The response cache in front of the engine, when the configuration has a `cache` section.
    public let cache: CachingEngine?
    /// The leases on the deployments' limits this gateway shares with others through Redis, when
    /// the configuration has a `sharedState` section.
    public let shared: SharedCapacity?
    /// The configuration in force.
    public let configuration: GatewayConfiguration
    /// Where the gateway logs: a line for each request it served or refused (at `info`), and the server's own news.
    public let logger: Logger
    private let metrics: GatewayMetrics
    private let clients: ClientRegistry
    /// The tenants' budgets, when any tenant has one.
    private let budgets: BudgetKeeper?
    private let state: GatewayState
    /// The operator's key, if the configuration names one.
    private let operatorKey: APIKey?
    /// The batch deployments, and the shortest turnaround expected of them (for routing by deadline).
    private let batchDeployments: Set<DeploymentID>
    private let batchTurnaround: Duration?

    /// The request bodies being read, all connections together.
    private let buffered: ByteBudget
    /// The client fields sent upstream, and the upstream's fields sent back.
    private let forwarded: HeaderAllowList
    private let returned: HeaderAllowList

    /// Creates a gateway, with the policies and providers `registry` names; upstream and client keys
    /// named by environment variable are read from `environment`.
    /// `logger` logs at the configuration's `logLevel`.
    public init(configuration: GatewayConfiguration, registry: Registry = .standard, transport: any HTTPTransport = AsyncHTTPClientTransport(),
                environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "headroom-gateway")) throws(HeadroomError) {
        try configuration.validate()
        self.configuration = configuration
        var logger = logger
        logger.logLevel = try configuration.level()
        self.logger = logger
        let engine = try HeadroomEngine(configuration: configuration.engine, registry: registry, transport: transport, environment: environment)
        self.engine = engine
        if let settings = configuration.engine.cache {
            cache = CachingEngine(engine: engine, store: try Self.store(settings), limits: try settings.limits())
        } else {
            cache = nil
        }
        shared = try configuration.engine.sharedState.map { settings throws(HeadroomError) in
            try Self.sharedCapacity(settings, engine: engine, logger: logger)
        }
        let clients = try ClientRegistry(configuration.clients, cacheMode: configuration.engine.cache.map { $0.mode ?? .repeatable } ?? .off,
                                         environment: environment)
        self.clients = clients
        state = GatewayState(clients: clients.clients, prices: try configuration.engine.prices?.table())
        budgets = try Self.budgets(configuration, logger: logger)
        let batchDeployments = configuration.engine.deployments.filter(\.isBatch)
        self.batchDeployments = Set(batchDeployments.map { DeploymentID($0.id) })
        var batchRules: [BatchRules] = []
        for entry in batchDeployments {
            if let rules = try entry.batchRules() { batchRules.append(rules) }
        }
        batchTurnaround = BatchRouting.routingTurnaround(batchRules)
        metrics = GatewayMetrics(models: Self.models(configuration))
        buffered = ByteBudget(limit: configuration.maxBufferedRequestBytes)
        forwarded = try HeaderAllowList(configuration.forwardedRequestHeaders, field: "forwardedRequestHeaders")
        returned = try HeaderAllowList(configuration.returnedResponseHeaders, field: "returnedResponseHeaders")
        if let name = configuration.operatorKeyEnvironment {
            let key = try APIKey(environment: name, in: environment)
            guard !clients.clients.contains(where: { $0.key == key }) else {
                throw HeadroomError(.invalidConfiguration, "The operator's key is also a client's; give the operator a key of its own.")
            }
            operatorKey = key
        } else {
            operatorKey = nil
        }
    }

    /// The store a `cache` section names: the gateway makes the Redis one.
    private static func store(_ settings: CacheSettings) throws(HeadroomError) -> any ResponseCache {
        if let store = try settings.makeStore() { return store }
        do {
            return RedisCache(redis: try RedisClient(url: settings.redisURL ?? ""))
        } catch {
            throw HeadroomError(.invalidConfiguration, "cache.redisURL: \(error)")
        }
    }

    /// The keeper of the tenants' budgets, if any has one: in the `sharedState` Redis when there is one, else in `budgetFile`.
    private static func budgets(_ configuration: GatewayConfiguration, logger: Logger) throws(HeadroomError) -> BudgetKeeper? {
        let budgets = try configuration.engine.budgets()
        guard !budgets.isEmpty else { return nil }
        var store = BudgetKeeper.Store.file(configuration.budgetFile)
        if let shared = configuration.engine.sharedState {
            do {
                store = .redis(try RedisClient(url: shared.redis, connections: 2, timeout: try shared.timeout()), namespace: try shared.names().namespace)
            } catch let error as HeadroomError {
                throw error
            } catch {
                throw HeadroomError(.invalidConfiguration, "sharedState.redis: \(error)")
            }
        }
        return BudgetKeeper(budgets: budgets, store: store, logger: logger)
    }

    /// The leases a `sharedState` section describes, kept for `engine`.
    private static func sharedCapacity(_ settings: SharedStateSettings, engine: HeadroomEngine, logger: Logger) throws(HeadroomError) -> SharedCapacity {
        let names = try settings.names()
        let client: RedisClient
        do {
            client = try RedisClient(url: settings.redis, timeout: try settings.timeout())
        } catch let error as HeadroomError {
            throw error
        } catch {
            throw HeadroomError(.invalidConfiguration, "sharedState.redis: \(error)")
        }
        let store = ShareLeaseStore(client: client, namespace: names.namespace, instance: names.instance, rules: try settings.rules())
        return SharedCapacity(store: store, member: engine, renewEvery: try settings.renewInterval(), logger: logger)
    }

    /// The statistics now.
    public func stats() async -> GatewayStats {
        var stats = state.stats(await engine.snapshot())
        stats.cache = cache?.statistics.snapshot
        stats.sharedState = await shared?.status()
        if !batchDeployments.isEmpty { stats.batch = await engine.batchStatistics() }
        stats.budgets = budgets.map { GatewayStats.Budgets(statuses: $0.statuses(), storeErrors: $0.storeErrors) }
        return stats
    }

    // MARK: Routes

    /// One route: its method, its path (`:name` matches a segment) and its handler.
    private typealias Route = (method: HTTPRequest.Method, path: String, handler: @Sendable (Request, GatewayRequestContext) async throws -> Response)

    /// The routes, and the middleware that answers every error of the server's own in OpenAI's shape.
    public func router() -> Router<GatewayRequestContext> {
        let routes: [Route] = [
            (.post, "v1/chat/completions", { request, context in
                try await authorized(request, context) { client, body, headers, tally in
                    try await serve(.chatCompletions, body, headers, for: client, tally)
                }
            }),
            (.post, "v1/embeddings", { request, context in
                try await authorized(request, context) { client, body, headers, tally in
                    try await serve(.embeddings, body, headers, for: client, tally)
                }
            }),
            // Anthropic's Messages API, for its clients (the key in x-api-key) and Anthropic deployments.
            (.post, "v1/messages", { request, context in
                try await authorized(request, context) { client, body, headers, tally in
                    try await serve(.messages, body, headers, for: client, tally)
                }
            }),
            (.get, "v1/models", { request, _ in
                guard clients.client(authorization: request.headers[.authorization]) != nil else { return unauthorized() }
                return JSONReply.response(200, JSONReply.encode(ModelList(data: Self.models(configuration).map { ModelList.Model(id: $0) })))
            }),
            (.get, "stats", { request, _ in
                guard operatorKey == nil || isOperator(request) else { return Self.unauthorized }
                return JSONReply.response(200, JSONReply.encode(await stats()))
            }),
            (.get, "metrics", { request, _ in
                guard operatorKey == nil || isOperator(request) else { return Self.unauthorized }
                let text = metrics.text(await engine.snapshot(), inProgress: state.inProgress, cache: cache?.statistics.snapshot,
                                        shared: await shared?.status(), batch: batchDeployments.isEmpty ? nil : await engine.batchStatistics(),
                                        cost: state.cost, budgets: budgets?.statuses())
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
            }),
            (.post, "admin/deployments/:id/enable", { request, context in try await enable(request, context) }),
            (.get, "healthz", { _, _ in JSONReply.response(200, JSONReply.encode(["status": "ok"])) }),
            (.get, "readyz", { _, _ in
                let inRotation = await engine.snapshot().deployments.filter { $0.outOfRotation == nil }.count
                return inRotation > 0
                    ? JSONReply.response(200, JSONReply.encode(["status": "ready"]))
                    : JSONReply.error(503, "No deployment is in rotation; see /stats for why each left.", type: "server_error", code: "not_ready")
            }),
        ]
        let router = Router(context: GatewayRequestContext.self)
        // First: middleware applies to the routes added after it.
        router.add(middleware: OpenAIErrorMiddleware(routes: routes.map { ($0.method, $0.path) }))
        for route in routes { router.on(RouterPath(route.path), method: route.method, use: route.handler) }
        return router
    }

    /// `POST /admin/deployments/:id/enable`: puts a deployment back in rotation.
    private func enable(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        guard operatorKey != nil else {
            return JSONReply.error(403, "Operator routes are off: set operatorKeyEnvironment in the configuration to use them.",
                                   type: "invalid_request_error", code: "operator_routes_off")
        }
        guard isOperator(request) else { return Self.unauthorized }
        let id = context.parameters.get("id") ?? ""
        guard await engine.snapshot().deployments.contains(where: { $0.id.rawValue == id }) else {
            return JSONReply.error(404, "No deployment here is named '\(id)'.", type: "invalid_request_error", code: "unknown_deployment")
        }
        await engine.enable(DeploymentID(id))
        return JSONReply.response(200, JSONReply.encode(["enabled": id]))
    }

    /// The server on the configured host and port; `onRunning` is told the port once it listens.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let port = configuration.port
        let idle = TimeAmount.nanoseconds(Int64(configuration.idleTimeoutSeconds * 1e9))
        let connections = MaximumAvailableConnections(DescriptorLimit.connections(fitting: configuration.maxConnections))
        var application = Application(
            router: router(), server: .http1(configuration: .init(additionalChannelHandlers: [HangUpWatcher()], idleTimeout: idle)),
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: "headroom-gateway",
                                 availableConnectionsDelegate: connections),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
        if !batchDeployments.isEmpty {
            // Batches under way when the gateway last stopped are polled again, their answers kept for callers who come back.
            application.beforeServerStarts { [engine] in await engine.resumeBatches() }
        }
        if let budgets {
            // What tenants used before a restart, or at the other gateways, counts from the first request.
            application.beforeServerStarts { await budgets.load() }
            application.addServices(BudgetService(budgets: budgets))
        }
        if let shared {
            // The first renewal before the first request: until then the gateway has no share.
            application.beforeServerStarts { await shared.start() }
            application.addServices(SharedCapacityService(shared: shared))
        }
        return application
    }

    /// Serves until SIGTERM or SIGINT, then lets the requests under way finish; callers waiting on
    /// batches are let go first (to come back with their request ids after a restart), so that the
    /// drain does not wait for batches that run for hours.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        // A group's services stop in reverse order: the batches' callers are let go before the server drains.
        var services: [any Service] = [application(onRunning: onRunning)]
        if !batchDeployments.isEmpty { services.append(BatchShutdownService(engine: engine)) }
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        await engine.shutdown(drain: true)
        // What the drain served counts too.
        budgets?.save()
    }

    /// The models the deployments of `configuration` serve.
    private static func models(_ configuration: GatewayConfiguration) -> [String] {
        let named = configuration.engine.deployments.flatMap { ($0.models ?? []) + ($0.deploymentNames ?? [:]).keys }
        return Array(Set(named)).sorted()
    }

    // MARK: Serving

    private static let unauthorized = JSONReply.error(
        401, "Incorrect or missing API key. Send the key the gateway's operator gave you as Authorization: Bearer KEY (or, to /v1/messages, as x-api-key).",
        type: "invalid_request_error", code: "invalid_api_key")

    /// Counts a request without a valid key and answers 401.
    private func unauthorized() -> Response {
        state.unauthorized()
        metrics.unauthorized()
        logger.info("request", metadata: ["client": "-", "status": "401", "outcome": "unauthorized"])
        return Self.unauthorized
    }

    /// Whether the request carries the operator's key.
    private func isOperator(_ request: Request) -> Bool {
        guard let operatorKey, let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") else { return false }
        return ClientRegistry.constantTimeEqual(Array(operatorKey.value.utf8), Array(authorization.utf8.dropFirst(7)))
    }

    /// Checks the key, reads the body, then runs `serve` with it; a client that hangs up meanwhile cancels it,
    /// queued or in flight. Every request that gets this far is counted, and ends in the counts exactly once
    /// (``RequestTally``). The connection is kept alive for the client's next request.
    private func authorized(
        _ request: Request, _ context: GatewayRequestContext,
        _ serve: @escaping @Sendable (ClientRegistry.Client, [UInt8], CallerFields, RequestTally) async throws -> Response
    ) async throws -> Response {
        // Anthropic's clients send their key as x-api-key.
        let presented = request.headers[.authorization] ?? request.headers.first { $0.name.canonicalName == "x-api-key" }.map { "Bearer \($0.value)" }
        guard let client = clients.client(authorization: presented) else { return unauthorized() }
        state.received(from: client)
        let tally = RequestTally(client: client, .init(state: state, metrics: metrics, logger: logger, batchDeployments: batchDeployments,
                                                       budgets: budgets))
        let read: [UInt8]?
        do {
            read = try await self.read(request)
        } catch {
            // Too large, or the client went away while sending it.
            let tooLarge = (error as? HTTPError)?.status == .contentTooLarge
            tally.end(tooLarge ? .invalid : .cancelled, status: tooLarge ? 413 : 499)
            throw error
        }
        if let refusal = budgets?.refusal(for: client.name) {
            metrics.refusedByBudget(client: client.name)
            tally.end(.rejected, status: 429)
            return GatewayError.response(for: refusal, retryAfterSeconds: configuration.retryAfterSeconds).0
        }
        guard let body = read else {
            tally.end(.rejected, status: 503)
            return JSONReply.error(503, "The gateway is reading as many request bodies as it holds at once; retry shortly.",
                                   type: "server_error", code: "server_busy", headers: [("retry-after", "1")])
        }
        let headers = CallerFields(
            forwarded: request.headers.filter { forwarded.allows($0.name.rawName) }.map { HeadroomCore.HTTPField($0.name.rawName, $0.value) },
            cacheControl: request.headers[.cacheControl], cacheNamespace: field("x-headroom-cache-namespace", of: request),
            batch: field("x-headroom-batch", of: request), requestID: field("idempotency-key", of: request), deadline: field("x-headroom-deadline", of: request)
        )
        guard let watcher = await context.hangUpWatcher() else { return try await serve(client, body, headers, tally) }
        return try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask { try await serve(client, body, headers, tally) }
            group.addTask {
                await watcher.waitForHangUp()
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            // The client hung up first: its request is cancelled (and counted so), and the answer goes nowhere.
            guard let response = first else { throw CancellationError() }
            return response
        }
    }

    /// The value of header field `name` (lower case) of `request`, if it has one.
    private func field(_ name: String, of request: Request) -> String? {
        request.headers.first { $0.name.canonicalName == name }?.value
    }

    /// The request's body, within `maxRequestBytes` (413 past it) and the read budget (`nil`: no room in it now).
    private func read(_ request: Request) async throws -> [UInt8]? {
        // A body's share of the read budget: its declared length, or the most a body may be.
        let limit = configuration.maxRequestBytes
        let declared = request.headers[.contentLength].flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
        if let declared, declared > limit { throw HTTPError(.contentTooLarge, message: Self.tooLarge(limit)) }
        let share = declared ?? limit
        guard buffered.take(share) else { return nil }
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: limit)
        } catch {
            buffered.giveBack(share)
            if (error as? HTTPError)?.status == .contentTooLarge { throw HTTPError(.contentTooLarge, message: Self.tooLarge(limit)) }
            throw error
        }
        buffered.giveBack(share)
        return Array(buffer: bytes)
    }

    /// Reads the body once, then has the engine send the body as it came (its tenant the client, whose
    /// limits the scheduler keeps)
    /// (streamed when it asks to be) and answers with the provider's bytes.
    private func serve(_ operation: ProviderOperation, _ bytes: [UInt8], _ fields: CallerFields, for client: ClientRegistry.Client,
                       _ tally: RequestTally) async throws -> Response {
        var request: APIRequest
        let options: CacheRequestOptions
        let deadline: Duration?
        do {
            request = try APIRequest(operation, bytes: bytes)
            options = try fields.cacheOptions(for: client)
            deadline = try fields.checkedDeadline()
            try route(&request, fields, for: client, deadline: deadline)
        } catch {
            return invalid(error.message, tally)
        }
        request.headers = fields.forwarded
        request.tenant = client.name
        tally.read(model: request.model)
        if operation != .embeddings && request.isStreaming {
            return try await stream(request, options, for: client, deadline: deadline, tally)
        }
        do {
            let (answer, status, age): (APIAnswer, CacheStatus?, Duration?)
            if let cache {
                let reply = try await cache.send(request, priority: client.priority, deadline: deadline, options: options)
                (answer, status, age) = (reply.answer, reply.status, reply.age)
            } else {
                (answer, status, age) = (try await engine.send(request, priority: client.priority, deadline: deadline), nil, nil)
            }
            tally.answered(by: answer.head, cache: status)
            tally.used(answer.usage)
            tally.succeed()
            let batched = batchDeployments.contains(answer.head.deployment) ? [("x-headroom-batch", "true")] : []
            return JSONReply.response(200, answer.body, headers: returned.filter(answer.head.headers) + Self.cacheFields(status, age) + batched)
        } catch {
            return try failure(error, tally)
        }
    }

    /// Decides whether `request` goes to batch: its `x-headroom-batch` or `@batch` model alias (taken off the
    /// model), else a deadline that leaves the batch's turnaround (when routing by deadline), else its client's
    /// setting. A stream never does. Its `idempotency-key` becomes its request id.
    private func route(_ request: inout APIRequest, _ fields: CallerFields, for client: ClientRegistry.Client, deadline: Duration?) throws(HeadroomError) {
        let asked = try fields.asksBatch(model: request.model)
        if let model = request.model, model.hasSuffix(CallerFields.batchSuffix) {
            try request.set("model", to: .string(String(model.dropLast(CallerFields.batchSuffix.count))))
        }
        request.acceptsBatch = !request.isStreaming && BatchRouting.acceptsBatch(
            asked: asked, clientDefault: client.batch, deadline: deadline, expectedTurnaround: configuration.batchByDeadline ? batchTurnaround : nil)
        request.requestID = try fields.checkedRequestID()
    }

    /// `x-headroom-cache` and, for a hit, `age` (whole seconds); nothing without a cache.
    private static func cacheFields(_ status: CacheStatus?, _ age: Duration?) -> [(String, String)] {
        guard let status else { return [] }
        return [("x-headroom-cache", status.rawValue)] + (age.map { [("age", "\($0.components.seconds)")] } ?? [])
    }

    /// Counts a request that ended in `error` and answers for it; a cancellation (the client hung up) is rethrown.
    private func failure(_ error: any Error, _ tally: RequestTally) throws -> Response {
        if error is CancellationError {
            tally.end(.cancelled, status: 499)
            throw error
        }
        let (response, outcome) = GatewayError.response(for: error, retryAfterSeconds: configuration.retryAfterSeconds)
        tally.end(outcome, status: Int(response.status.code))
        return response
    }

    /// Streams the chunks as server-sent events. The status is decided by the
    /// first chunk: until it comes, a failure is still an ordinary error response.
    private func stream(_ request: APIRequest, _ options: CacheRequestOptions, for client: ClientRegistry.Client, deadline: Duration?,
                        _ tally: RequestTally) async throws -> Response {
        let (parts, status, age): (AsyncThrowingStream<APIStreamPart, any Error>, CacheStatus?, Duration?)
        if let cache {
            let reply = await cache.stream(request, priority: client.priority, deadline: deadline, options: options)
            (parts, status, age) = (reply.parts, reply.status, reply.age)
        } else {
            (parts, status, age) = (await engine.stream(request, priority: client.priority, deadline: deadline), nil, nil)
        }
        let chunks = StreamParts(parts)
        // Anthropic's streams name each event by its type, and end with their last event rather than [DONE].
        let anthropic = request.operation == .messages
        // The upstream's header fields come first, then its events; the status is decided by them.
        let head: AnswerHead
        do {
            guard case .head(let answered)? = try await chunks.next() else {
                // A stream that ends before its head was cancelled (the client hung up).
                try Task.checkCancellation()
                throw HeadroomError(.brokenAnswer, "The stream ended before it began.")
            }
            head = answered
            tally.answered(by: head, cache: status)
        } catch {
            return try failure(error, tally)
        }
        let headers = JSONReply.fields(returned.filter(head.headers) + [("content-type", "text/event-stream"), ("cache-control", "no-cache")]
                                       + Self.cacheFields(status, age))
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do {
                while true {
                    let part: APIStreamPart?
                    do {
                        part = try await chunks.next()
                    } catch {
                        // The stream broke after events reached the client: say so in the stream, as OpenAI does.
                        let detail = (error as? HeadroomError)?.message ?? "\(error)"
                        try await writer.write(anthropic ? ServerSentEvent.data(JSONReply.anthropicErrorBody(detail, type: "api_error"), named: "error")
                                                         : ServerSentEvent.data(JSONReply.errorBody(detail, type: "server_error", code: "stream_broken")))
                        try await writer.finish(nil)
                        tally.end(.failed, status: 200)
                        return
                    }
                    guard let part else { break }
                    switch part {
                    case .event(let data):
                        let name = anthropic ? JSONValue.member("type", inObject: data)?.stringValue : nil
                        try await writer.write(ServerSentEvent.data(data, named: name))
                    case .usage(let usage): tally.used(usage)
                    case .head: break
                    }
                }
                if !anthropic { try await writer.write(ServerSentEvent.done) }
                try await writer.finish(nil)
                tally.succeed()
            } catch {
                // The client went away: dropping the stream cancels the request upstream.
                await chunks.close()
                tally.end(.cancelled, status: 499)
                throw error
            }
        })
    }

    private static func tooLarge(_ limit: Int) -> String {
        "The request body is larger than \(limit) bytes, the most this gateway accepts (maxRequestBytes)."
    }

    private func invalid(_ message: String, _ tally: RequestTally) -> Response {
        tally.end(.invalid, status: 400)
        return JSONReply.error(400, message, type: "invalid_request_error", code: "invalid_body")
    }
}

/// `GET /v1/models`.
private struct ModelList: Encodable {
    struct Model: Encodable {
        var id: String
        var object = "model"
        var created = 0
        var ownedBy = "headroom"
    }

    var object = "list"
    var data: [Model]
}

/// The server-sent event framing of OpenAI's streams.
enum ServerSentEvent {
    /// One event carrying `payload`, named `name` when given (Anthropic names each event by its type).
    static func data(_ payload: [UInt8], named name: String? = nil) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.count + 8)
        // A name is written only if it is one line: it comes from the provider.
        if let name, !name.contains(where: \.isNewline) { buffer.writeString("event: \(name)\n") }
        buffer.writeString("data: ")
        buffer.writeBytes(payload)
        buffer.writeString("\n\n")
        return buffer
    }

    /// The event that ends a stream.
    static let done = ByteBuffer(string: "data: [DONE]\n\n")
}

/// A stream's iterator, handed from the request handler (which waits for the
/// head) to the response body's writer (which sends the rest); the two never
/// use it at once. Closing it, or dropping it, cancels the request upstream.
private actor StreamParts {
    private var iterator: AsyncThrowingStream<APIStreamPart, any Error>.AsyncIterator?

    init(_ stream: AsyncThrowingStream<APIStreamPart, any Error>) {
        iterator = stream.makeAsyncIterator()
    }

    /// The next part; `nil` at the end, or once closed.
    func next() async throws -> APIStreamPart? {
        // Taken out while a part is awaited (an actor's property cannot be mutated across an await), then put back.
        guard var current = iterator else { return nil }
        iterator = nil
        let part = try await current.next(isolation: self)
        iterator = current
        return part
    }

    func close() {
        iterator = nil
    }
}
