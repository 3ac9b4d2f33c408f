/// One HTTP exchange, the seam between the request builders (Alibaba Cloud RPC, webhooks) and the
/// mechanism that moves bytes (libcurl in production, scripted responses in tests).
package protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the response, whatever its status; throws `TransportError` when no
    /// response arrived (connection refused, TLS failure, timeout, cancellation).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A request as the transport sends it: the caller has already signed it.
package struct HTTPRequest: Sendable, Equatable {
    package var method: String
    /// Absolute URL, query string already percent-encoded.
    package var url: String
    /// Header names as sent; order kept so signed requests go out exactly as signed.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// Bound on establishing the connection (TCP + TLS).
    package var connectTimeout: Duration
    /// Bound on the whole exchange.
    package var timeout: Duration
    /// A PEM bundle to verify the server against instead of the system store.
    package var caFile: String?

    package init(
        method: String,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        connectTimeout: Duration = .seconds(5),
        timeout: Duration = .seconds(30),
        caFile: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
    }

    /// The first header with this name, compared case-insensitively.
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    package static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
            && lhs.connectTimeout == rhs.connectTimeout && lhs.timeout == rhs.timeout && lhs.caFile == rhs.caFile
    }
}

/// A response with any status code.
package struct HTTPResponse: Sendable {
    package var status: Int
    /// Header names lower-cased.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers.map { (name: $0.name.lowercased(), value: $0.value) }
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    package func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }

    package var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Why no response arrived. Each case says whether trying again can help.
package enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// DNS, refused, reset, unreachable: the peer may come back.
    case connect(String)
    /// The connect or total timeout passed.
    case timeout(String)
    /// Certificate verification or handshake failed: a configuration problem, not a passing one.
    case tls(String)
    /// The URL or request could not be used (bad scheme, malformed URL).
    case invalidRequest(String)
    /// The task was cancelled while the request was in flight.
    case cancelled
    /// Anything else the mechanism reported.
    case other(String)

    package var isRetryable: Bool {
        switch self {
        case .connect, .timeout, .other: true
        case .tls, .invalidRequest, .cancelled: false
        }
    }

    package var description: String {
        switch self {
        case .connect(let m): "connection failed: \(m)"
        case .timeout(let m): "timed out: \(m)"
        case .tls(let m): "TLS failed: \(m)"
        case .invalidRequest(let m): "invalid request: \(m)"
        case .cancelled: "cancelled"
        case .other(let m): m
        }
    }
}
