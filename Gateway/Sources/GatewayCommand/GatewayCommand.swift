import Foundation
import ArgumentParser
import HeadroomConfiguration
import HeadroomCore
import HeadroomGateway
import HeadroomServerSupport
import Logging

/// `headroom-gateway`: an OpenAI-compatible endpoint that schedules requests
/// across the deployments of a configuration file.
@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headroom-gateway",
        abstract: "An OpenAI-compatible endpoint that schedules requests across the deployments of a configuration file.",
        discussion: """
            Keys come from the environment variables the configuration names. Each option below \
            overrides the configuration's field of the same name, spelt with dashes: --max-queue-length \
            for scheduler.maxQueueLength (Docs/configuration.md describes them).
            """,
        version: HeadroomRelease.version
    )

    @Option(help: ArgumentHelp("The configuration file (JSON).", valueName: "file"))
    var config: String

    @Option(help: "The address to listen on.") var host: String?
    @Option(help: "The port to listen on (0: any free port).") var port: Int?
    @Option(help: "fifo, priority or fair.") var queue: String?
    @Option(help: "maxHeadroom, weightedRandom, roundRobin or leastLoaded.") var allocation: String?
    @Option(help: "Waiting requests beyond this get 429.") var maxQueueLength: Int?
    @Option(help: "A request waiting longer gets 429, in seconds.") var maxQueueWaitSeconds: Double?
    @Option(help: "The share of each limit to plan for, in (0, 1].") var targetUtilization: Double?
    @Option(help: "Attempts in all, the first included.") var maxAttempts: Int?
    @Option(help: "How long one attempt may wait for the response's head, in seconds.") var attemptTimeoutSeconds: Double?
    @Option(help: "The output limit of a chat that sets none.") var defaultMaxTokens: Int?
    @Option(help: "The longest a request takes in all, in seconds.") var requestTimeoutSeconds: Double?
    @Option(help: "The most bytes read of a provider's answer, and of one stream event.") var maxAnswerBytes: Int?
    @Option(help: "The Retry-After of a 429 the scheduler has no estimate for, in seconds.") var retryAfterSeconds: Int?
    @Option(help: "An idle or stalled connection is closed after this long, in seconds.") var idleTimeoutSeconds: Double?
    @Option(help: "The environment variable that holds the operator's key.") var operatorKeyEnvironment: String?
    @Option(help: "The most connections open at once.") var maxConnections: Int?
    @Option(help: "The largest request body accepted, in bytes.") var maxRequestBytes: Int?
    @Option(help: "The most bytes of request bodies read at once.") var maxBufferedRequestBytes: Int?
    @Option(help: "trace, debug, info (a line a request), notice, warning, error or critical.") var logLevel: String?
    @Option(help: ArgumentHelp("Client header fields sent upstream, comma-separated (openai-beta,x-trace-*).", valueName: "names"))
    var forwardedRequestHeaders: String?
    @Option(help: ArgumentHelp("Upstream header fields passed back, comma-separated (x-request-id,x-ratelimit-*).", valueName: "names"))
    var returnedResponseHeaders: String?

    func run() async throws {
        try await reportingErrors("headroom-gateway") {
            let configuration = try overridden(GatewayConfiguration.load(path: config))
            // Lines to standard output: the access log and the server's news, at the configured level.
            LoggingSystem.bootstrap(StreamLogHandler.standardOutput)
            let gateway = try Gateway(configuration: configuration)
            let logger = gateway.logger
            Task {
                for await notice in gateway.engine.notices { logger.warning("\(notice.message)") }
            }
            Task {
                for await notice in gateway.engine.calibrations { logger.notice("\(notice.message)") }
            }
            try await gateway.run { port in
                let deployments = configuration.engine.deployments.map(\.id).joined(separator: ", ")
                printLine("headroom-gateway: http://\(configuration.host):\(port)/v1 → \(deployments); "
                    + "\(configuration.clients.count) client(s); stats at /stats and /metrics")
            }
            printLine("headroom-gateway: stopped after finishing the requests under way")
        }
    }

    /// A comma-separated list of header names, spaces around them dropped.
    private static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `loaded` with the options given on the command line in place of its fields.
    private func overridden(_ loaded: GatewayConfiguration) -> GatewayConfiguration {
        var configuration = loaded
        func set<Value>(_ field: WritableKeyPath<GatewayConfiguration, Value>, _ value: Value?) {
            if let value { configuration[keyPath: field] = value }
        }
        func set<Value>(_ field: WritableKeyPath<GatewayConfiguration, Value?>, _ value: Value?) {
            if let value { configuration[keyPath: field] = value }
        }
        set(\.host, host)
        set(\.port, port)
        configuration.engine.scheduler = configuration.engine.scheduler ?? SchedulerSettings()
        configuration.engine.engine = configuration.engine.engine ?? EngineSettings()
        set(\.engine.scheduler!.queue, queue)
        set(\.engine.scheduler!.allocation, allocation)
        set(\.engine.scheduler!.maxQueueLength, maxQueueLength)
        set(\.engine.scheduler!.maxQueueWaitSeconds, maxQueueWaitSeconds)
        set(\.engine.scheduler!.targetUtilization, targetUtilization)
        set(\.engine.scheduler!.maxAttempts, maxAttempts)
        set(\.engine.engine!.attemptTimeoutSeconds, attemptTimeoutSeconds)
        set(\.engine.engine!.defaultMaxTokens, defaultMaxTokens)
        set(\.engine.engine!.requestTimeoutSeconds, requestTimeoutSeconds)
        set(\.engine.engine!.maxAnswerBytes, maxAnswerBytes)
        set(\.retryAfterSeconds, retryAfterSeconds)
        set(\.idleTimeoutSeconds, idleTimeoutSeconds)
        set(\.operatorKeyEnvironment, operatorKeyEnvironment)
        set(\.maxConnections, maxConnections)
        set(\.maxRequestBytes, maxRequestBytes)
        set(\.maxBufferedRequestBytes, maxBufferedRequestBytes)
        set(\.logLevel, logLevel)
        set(\.forwardedRequestHeaders, forwardedRequestHeaders.map(Self.names))
        set(\.returnedResponseHeaders, returnedResponseHeaders.map(Self.names))
        return configuration
    }
}
