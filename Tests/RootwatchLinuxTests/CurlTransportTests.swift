import AlibabaCloud
import Foundation
import RootwatchLinux
import Testing

/// Requests and responses over plain HTTP on loopback: what goes on the wire is exactly what the
/// caller built, and what comes back is the final response, untouched.
@Suite struct CurlTransportTests {
    @Test func getSendsExactlyTheCallerHeaders() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let request = HTTPRequest(
            method: "GET",
            url: server.url("/echo?Action=GetUser&Name=a%20b"),
            headers: [("X-Acs-Action", "GetUser"), ("x-lower", "v 1"), ("X-Empty", "")]
        )
        let echoed = try EchoedRequest(try await transport.send(request))
        #expect(echoed.method == "GET")
        #expect(echoed.path == "/echo?Action=GetUser&Name=a%20b")
        let port = URL(string: server.baseURL)!.port!
        // No Accept, User-Agent, Content-Type or Expect of libcurl's own.
        #expect(
            echoed.headerPairs == ["Host: 127.0.0.1:\(port)", "X-Acs-Action: GetUser", "x-lower: v 1", "X-Empty: "])
        #expect(echoed.body.isEmpty)
    }

    @Test func postSendsTheExactBodyBytesWithoutExpect() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        // Every byte value, NUL included, and large enough that libcurl would otherwise add
        // `Expect: 100-continue`.
        let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let request = HTTPRequest(
            method: "POST", url: server.url("/echo"),
            headers: [("Content-Type", "application/octet-stream")], body: body)
        let echoed = try EchoedRequest(try await transport.send(request))
        #expect(echoed.method == "POST")
        #expect(echoed.body == body)
        #expect(echoed.headerPairs.contains("Content-Length: 200000"))
        #expect(echoed.headerPairs.contains("Content-Type: application/octet-stream"))
        #expect(!echoed.headers.contains { $0[0].lowercased() == "expect" })
    }

    @Test func emptyPostSendsContentLengthZero() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let echoed = try EchoedRequest(try await transport.send(HTTPRequest(method: "POST", url: server.url("/echo"))))
        #expect(echoed.method == "POST")
        #expect(echoed.headerPairs.contains("Content-Length: 0"))
        #expect(!echoed.headers.contains { $0[0].lowercased() == "content-type" })
        #expect(echoed.body.isEmpty)
    }

    @Test func otherMethodsGoOutAsGiven() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let put = try EchoedRequest(
            try await transport.send(HTTPRequest(method: "PUT", url: server.url("/echo"), body: Array("{}".utf8))))
        #expect(put.method == "PUT")
        #expect(put.body == Array("{}".utf8))
        let delete = try EchoedRequest(
            try await transport.send(HTTPRequest(method: "DELETE", url: server.url("/echo"))))
        #expect(delete.method == "DELETE")
        #expect(!delete.headers.contains { $0[0].lowercased() == "content-length" })
    }

    @Test func statusAndResponseHeadersComeBackLowerCased() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let response = try await transport.send(
            HTTPRequest(method: "GET", url: server.url("/status/503?Retry-After=7&X-Request-Id=ABC-123")))
        #expect(response.status == 503)
        #expect(response.header("retry-after") == "7")
        #expect(response.headers.contains { $0.name == "x-request-id" && $0.value == "ABC-123" })
        #expect(response.headers.allSatisfy { $0.name == $0.name.lowercased() })
        #expect(!response.headers.contains { $0.name.hasPrefix("http/") })
        #expect(response.bodyText == "status 503")
    }

    @Test func redirectsAreReturnedNotFollowed() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let response = try await transport.send(
            HTTPRequest(method: "GET", url: server.url("/status/302?Location=/echo")))
        #expect(response.status == 302)
        #expect(response.header("location") == "/echo")
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        var ports: [Int] = []
        for _ in 0..<3 {
            ports.append(
                try EchoedRequest(try await transport.send(HTTPRequest(method: "GET", url: server.url("/echo"))))
                    .clientPort)
        }
        #expect(Set(ports).count == 1, "client ports \(ports): each request opened a new connection")
        let stats = try await server.stats(via: transport)
        #expect(stats["connections"] == 1)
    }

    @Test func idleConnectionsSurviveBetweenBursts() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        // Holding each request 100 ms makes every burst need 16 connections at once.
        let burst = {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/delay?ms=100")))
                    }
                }
                try await group.waitForAll()
            }
        }
        try await burst()
        let afterFirst = try await server.stats(via: transport)["connections"] ?? 0
        try await burst()
        let afterSecond = try await server.stats(via: transport)["connections"] ?? 0
        #expect(afterFirst >= 16)
        #expect(afterSecond == afterFirst, "the second burst opened \(afterSecond - afterFirst) new connections")
    }

    @Test func bigBodyArrivesIntact() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let size = 5_000_000
        let response = try await transport.send(HTTPRequest(method: "GET", url: server.url("/big?bytes=\(size)")))
        #expect(response.status == 200)
        #expect(response.body.count == size)
        let mismatch = response.body.indices.first { response.body[$0] != UInt8($0 % 251) }
        #expect(mismatch == nil)
    }

    @Test func bodyOverTheCapFailsTheRequest() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport(maxResponseBytes: 1_000_000)
        let error = await transportError {
            try await transport.send(HTTPRequest(method: "GET", url: server.url("/big?bytes=1000001")))
        }
        guard case .other(let message) = error else {
            Issue.record("expected .other, got \(String(describing: error))")
            return
        }
        #expect(message.contains("1000000"))
        // Exactly at the cap is fine.
        let response = try await transport.send(HTTPRequest(method: "GET", url: server.url("/big?bytes=1000000")))
        #expect(response.body.count == 1_000_000)
    }
}

/// The `TransportError` `body` throws, or nil when it succeeds or throws something else.
func transportError(_ body: () async throws -> HTTPResponse) async -> TransportError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? TransportError
    }
}
