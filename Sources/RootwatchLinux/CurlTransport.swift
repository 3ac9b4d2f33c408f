import AlibabaCloud

/// The production `HTTPTransport`: libcurl with OpenSSL, all transfers driven by one dedicated thread.
///
/// `send` never blocks a cooperative-pool thread: it builds the easy handle, hands it to the
/// `CurlMultiLoop` and suspends until the loop resumes it. Connections are kept alive and reused
/// across requests. TLS verification is always on; `HTTPRequest.caFile` replaces the system trust
/// store for one request. libcurl's proxy environment variables (`https_proxy`, `no_proxy`, ...)
/// are honoured.
package final class CurlTransport: HTTPTransport {
    /// The default response body cap: larger bodies fail the request instead of growing memory.
    package static let defaultMaxResponseBytes = 64 << 20

    private let loop: CurlMultiLoop
    private let maxResponseBytes: Int

    /// Starts the transfer thread. Throws only when libcurl cannot initialise or the thread cannot start.
    package init(maxResponseBytes: Int = CurlTransport.defaultMaxResponseBytes) throws(TransportError) {
        self.maxResponseBytes = maxResponseBytes
        loop = try CurlMultiLoop()
    }

    deinit {
        loop.requestStop()
    }

    /// Sends `request` and returns the response whatever its status; throws `TransportError`.
    ///
    /// Cancelling the calling task abandons the transfer (its connection is closed) and throws
    /// `.cancelled` at once. After `shutdown()` every call throws `.cancelled`.
    package func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = try CurlTransfer(request: request, maxBodyBytes: maxResponseBytes)
        let loop = self.loop
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (completion: CurlMultiLoop.Completion) in
                loop.submit(transfer, completion: completion)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Fails every request in flight with `.cancelled`, stops the transfer thread and waits for it to
    /// release libcurl's handles. Idempotent.
    package func shutdown() async {
        await loop.stop()
    }
}
