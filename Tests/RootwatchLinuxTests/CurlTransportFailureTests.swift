import AlibabaCloud
import Foundation
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// When no response arrives: each failure maps to the `TransportError` that decides retries, and
/// arrives within its bound.
@Suite struct CurlTransportFailureTests {
    @Test func httpsVerifiesAgainstTheGivenCAOnly() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let server = try await TestServer.start(tls: certificates)
        defer { server.stop() }
        #expect(server.baseURL.hasPrefix("https://"))
        let transport = try CurlTransport()

        let trusted = try await transport.send(
            HTTPRequest(method: "POST", url: server.url("/echo"), body: Array("ping".utf8), caFile: certificates.caFile)
        )
        #expect(trusted.status == 200)
        #expect(try EchoedRequest(trusted).body == Array("ping".utf8))

        // The system store does not know the private CA.
        let untrusted = await transportError {
            try await transport.send(HTTPRequest(method: "GET", url: server.url("/echo")))
        }
        guard case .tls(let message) = untrusted else {
            Issue.record("expected .tls, got \(String(describing: untrusted))")
            return
        }
        #expect(message.contains("curl 60"))
        #expect(untrusted?.isRetryable == false)

        // The certificate names 127.0.0.1 only: another name for the same server must fail.
        let wrongName = await transportError {
            try await transport.send(
                HTTPRequest(
                    method: "GET", url: server.url("/echo").replacingOccurrences(of: "127.0.0.1", with: "localhost"),
                    caFile: certificates.caFile))
        }
        guard case .tls = wrongName else {
            Issue.record("expected .tls for a host name mismatch, got \(String(describing: wrongName))")
            return
        }
    }

    @Test func refusedConnectionIsAConnectError() async throws {
        let port = try LoopbackListener.refusedPort()
        let transport = try CurlTransport()
        let started = ContinuousClock.now
        let error = await transportError {
            try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"))
        }
        guard case .connect(let message) = error else {
            Issue.record("expected .connect, got \(String(describing: error))")
            return
        }
        #expect(message.contains("127.0.0.1"), "curl's error buffer text is missing: \(message)")
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func silentPeerHitsTheConnectTimeout() async throws {
        // TCP connects, the TLS handshake never answers: only the connect timeout can end it.
        let listener = try LoopbackListener()
        let transport = try CurlTransport()
        let started = ContinuousClock.now
        let error = await transportError {
            try await transport.send(
                HTTPRequest(
                    method: "GET", url: "https://127.0.0.1:\(listener.port)/",
                    connectTimeout: .milliseconds(300), timeout: .seconds(20)))
        }
        guard case .timeout = error else {
            Issue.record("expected .timeout, got \(String(describing: error))")
            return
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func slowResponseHitsTheTotalTimeout() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let started = ContinuousClock.now
        let error = await transportError {
            try await transport.send(
                HTTPRequest(method: "GET", url: server.url("/delay?ms=10000"), timeout: .milliseconds(400)))
        }
        guard case .timeout = error else {
            Issue.record("expected .timeout, got \(String(describing: error))")
            return
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func cancellingTheTaskAbandonsTheRequestPromptly() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let request = Task {
            await transportError {
                try await transport.send(HTTPRequest(method: "GET", url: server.url("/delay?ms=5000")))
            }
        }
        _ = try await server.waitForStats(via: transport) { $0["in_flight"] == 1 }
        let cancelled = ContinuousClock.now
        request.cancel()
        let error = await request.value
        #expect(error == .cancelled)
        #expect(ContinuousClock.now - cancelled < .milliseconds(900))
    }

    @Test func alreadyCancelledTaskNeverSends() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let request = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await transportError {
                try await transport.send(HTTPRequest(method: "POST", url: server.url("/echo")))
            }
        }
        #expect(await request.value == .cancelled)
        let stats = try await server.stats(via: transport)
        // The one request the server counted is this `/stats` itself.
        #expect(stats["requests"] == 1, "the cancelled request reached the server")
    }

    @Test func shutdownFailsRequestsInFlightAndLater() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let request = Task {
            await transportError {
                try await transport.send(HTTPRequest(method: "GET", url: server.url("/delay?ms=5000")))
            }
        }
        _ = try await server.waitForStats(via: transport) { $0["in_flight"] == 1 }
        await transport.shutdown()
        #expect(await request.value == .cancelled)
        let later = await transportError {
            try await transport.send(HTTPRequest(method: "GET", url: server.url("/echo")))
        }
        #expect(later == .cancelled)
        await transport.shutdown()
    }

    @Test(arguments: [
        ("ftp://127.0.0.1/file", "unsupported scheme"),
        ("http://[::1/", "malformed URL"),
    ])
    func unusableURLsAreInvalidRequests(url: String, why: String) async throws {
        let transport = try CurlTransport()
        let error = await transportError { try await transport.send(HTTPRequest(method: "GET", url: url)) }
        guard case .invalidRequest = error else {
            Issue.record("\(why): expected .invalidRequest, got \(String(describing: error))")
            return
        }
    }

    @Test func headerLineBreaksAreRejectedBeforeSending() async throws {
        let transport = try CurlTransport()
        let error = await transportError {
            try await transport.send(
                HTTPRequest(method: "GET", url: "http://127.0.0.1:1/", headers: [("X-A", "a\r\nX-Injected: 1")]))
        }
        guard case .invalidRequest = error else {
            Issue.record("expected .invalidRequest, got \(String(describing: error))")
            return
        }
        let badMethod = await transportError {
            try await transport.send(HTTPRequest(method: "GET /x HTTP/1.1\r\n", url: "http://127.0.0.1:1/"))
        }
        guard case .invalidRequest = badMethod else {
            Issue.record("expected .invalidRequest for a bad method, got \(String(describing: badMethod))")
            return
        }
    }
}
