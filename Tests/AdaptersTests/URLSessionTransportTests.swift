#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HeadroomAdapters
import HeadroomCore
import Synchronization
import Testing

/// A one-thread HTTP server on 127.0.0.1 for tests: each connection gets the
/// next scripted response, written in parts with pauses between them, then closed.
final class LoopbackServer: Sendable {
    /// The requests a server received, head and body as text.
    final class Log: Sendable {
        let requests = Mutex<[String]>([])
    }

    let port: UInt16
    private let listener: Int32
    private let log = Log()

    /// The requests received so far.
    var requests: [String] { log.requests.withLock { $0 } }

    init(responses: [[String]]) throws {
        (listener, port) = try Self.listening()
        let listener = listener
        let log = self.log
        Thread.detachNewThread {
            for parts in responses {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                let request = Self.readRequest(client)
                log.requests.withLock { $0.append(request) }
                for part in parts {
                    Self.write(part, to: client)
                    usleep(30_000)
                }
                close(client)
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Writes `text` to socket `client` (a peer gone meanwhile is no error).
    static func write(_ text: String, to client: Int32) {
        let bytes = Array(text.utf8)
        _ = send(client, bytes, bytes.count, Int32(MSG_NOSIGNAL))
    }

    /// A socket listening on a free port of 127.0.0.1.
    static func listening() throws -> (socket: Int32, port: UInt16) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 128) == 0 else { throw URLError(.cannotConnectToHost) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        return (listener, UInt16(bigEndian: actual.sin_port))
    }

    /// Reads one request: the head, then as many body bytes as Content-Length says.
    static func readRequest(_ client: Int32) -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0 ..< count])
            let text = String(decoding: data, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length { return text }
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A server on 127.0.0.1 that answers every request with the same start of a
/// response, then holds the connection open until it goes: requests stay in flight.
final class HoldingServer: Sendable {
    let port: UInt16
    private let listener: Int32
    /// The connections held open.
    private final class Held: Sendable {
        let sockets = Mutex<[Int32]>([])
    }

    private let held = Held()

    /// A server that answers `answer`, then closes the connection when `closing`, else holds it.
    init(answer: String, closing: Bool = false) throws {
        (listener, port) = try LoopbackServer.listening()
        let listener = listener
        let held = held
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                _ = LoopbackServer.readRequest(client)
                LoopbackServer.write(answer, to: client)
                if closing { close(client) } else { held.sockets.withLock { $0.append(client) } }
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for client in held.sockets.withLock({ $0 }) { close(client) }
    }
}

@Suite("URLSession transport", .serialized)
struct URLSessionTransportTests {
    @Test("Sends the request as built and returns the status, headers and body")
    func roundTrip() async throws {
        let body = #"{"ok":true}"#
        let server = try LoopbackServer(responses: [[
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-ratelimit-remaining-tokens: 777\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)",
        ]])
        let request = HTTPRequestData(method: "POST", url: "http://127.0.0.1:\(server.port)/openai/deployments/d/chat/completions?api-version=1",
                                      headers: [HTTPField("api-key", "k1"), HTTPField("Content-Type", "application/json")],
                                      body: Array(#"{"messages":[]}"#.utf8))
        let response = try await URLSessionTransport().send(request, timeout: .seconds(60))
        #expect(response.status == 200)
        #expect(response.headers.first { $0.key.lowercased() == "x-ratelimit-remaining-tokens" }?.value == "777")
        #expect(String(decoding: try await response.collect(), as: UTF8.self) == body)
        let received = try #require(server.requests.first)
        #expect(received.hasPrefix("POST /openai/deployments/d/chat/completions?api-version=1 HTTP/1.1\r\n"))
        #expect(received.lowercased().contains("api-key: k1") && received.hasSuffix(#"{"messages":[]}"#))
    }

    @Test("A streamed body arrives as it is written")
    func streaming() async throws {
        let server = try LoopbackServer(responses: [[
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n",
            "data: one\n\n", "data: two\n\n", "data: [DONE]\n\n",
        ]])
        let request = HTTPRequestData(method: "POST", url: "http://127.0.0.1:\(server.port)/v1/chat/completions", headers: [], body: [])
        let response = try await URLSessionTransport().send(request, timeout: .seconds(60))
        var events: [String] = []
        for try await event in ServerSentEvents(response.body) { events.append(String(decoding: event, as: UTF8.self)) }
        #expect(events == ["one", "two"])
    }

    @Test("Hundreds of requests cancelled in flight, before their head, while their body streams or as they end, cancel cleanly",
          arguments: [("", false), ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n6\r\ndata: \r\n", false),
                      ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", true)])
    func cancelledInFlight(_ answer: String, _ closing: Bool) async throws {
        let server = try HoldingServer(answer: answer, closing: closing)
        let transport = URLSessionTransport()
        let request = HTTPRequestData(method: "POST", url: "http://127.0.0.1:\(server.port)/v1/chat/completions", headers: [], body: Array("{}".utf8))
        for round in 0 ..< 25 {
            await withTaskGroup(of: Void.self) { group in
                for caller in 0 ..< 20 {
                    group.addTask {
                        let call = Task {
                            let response = try await transport.send(request, timeout: .seconds(30))
                            for try await _ in response.body {}
                        }
                        // Cancelled at any moment of the exchange: before it starts, in flight, as it ends.
                        try? await Task.sleep(for: .microseconds((round * 20 + caller) % 40 * 100))
                        call.cancel()
                        _ = try? await call.value
                    }
                }
            }
        }
        if closing {
            // Still serving after 500 cancellations.
            #expect(try await transport.send(request, timeout: .seconds(5)).status == 200)
        }
    }

    @Test("A refused connection is an error, which the classifier calls transient")
    func refused() async throws {
        let port: UInt16
        do { port = try LoopbackServer(responses: []).port }  // bound, then closed again
        let request = HTTPRequestData(method: "POST", url: "http://127.0.0.1:\(port)/v1/embeddings", headers: [], body: [])
        do {
            _ = try await URLSessionTransport().send(request, timeout: .seconds(5))
            Issue.record("expected an error")
        } catch {
            #expect(ResponseClassifier.transportFailure("\(error)").responseClass == .transient)
        }
    }
}
