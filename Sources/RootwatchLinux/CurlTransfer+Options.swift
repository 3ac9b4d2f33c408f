import AlibabaCloud
import CCurl

extension CurlTransfer {
    /// Sets every libcurl option for `request` on `handle`.
    ///
    /// The fixed choices are the daemon's safety floor: no signals (libcurl runs on a helper
    /// thread), only HTTP and HTTPS, no redirects, TLS peer and host verification always on. Proxy
    /// environment variables stay honoured because users behind egress proxies rely on them.
    func configure(_ handle: UnsafeMutableRawPointer, for request: HTTPRequest) throws(TransportError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(rw_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        try check(rw_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(rw_curl_easy_setopt_string(handle, CURLOPT_URL, request.url), "URL")
        try check(rw_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR")
        try check(rw_curl_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "REDIR_PROTOCOLS_STR")
        try check(rw_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "FOLLOWLOCATION")
        try check(rw_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1), "SSL_VERIFYPEER")
        try check(rw_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2), "SSL_VERIFYHOST")
        if let caFile = request.caFile {
            try check(rw_curl_easy_setopt_string(handle, CURLOPT_CAINFO, caFile), "CAINFO")
        }
        try check(
            rw_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)),
            "CONNECTTIMEOUT_MS"
        )
        try check(
            rw_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)), "TIMEOUT_MS")
        try check(rw_curl_easy_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1), "SUPPRESS_CONNECT_HEADERS")
        try check(
            rw_curl_easy_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBodyBytes)),
            "MAXFILESIZE_LARGE"
        )
        try check(rw_curl_easy_setopt_write_function(handle, curlWriteBody), "WRITEFUNCTION")
        try check(rw_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "WRITEDATA")
        try check(rw_curl_easy_setopt_header_function(handle, curlReceiveHeader), "HEADERFUNCTION")
        try check(rw_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "HEADERDATA")
        try configureMethodAndBody(handle, for: request)
        try configureHeaders(handle, for: request)
    }

    /// Chooses how libcurl sends the method and body.
    ///
    /// A body always goes out from a private copy with an explicit size, so binary bodies keep their
    /// NUL bytes and an empty POST or PUT still sends `Content-Length: 0` (without a size libcurl
    /// would read the body from stdin).
    private func configureMethodAndBody(_ handle: UnsafeMutableRawPointer, for request: HTTPRequest)
        throws(TransportError)
    {
        let method = request.method
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw .invalidRequest("HTTP method is not a token: \(method.debugDescription)")
        }
        if method == "GET" && request.body.isEmpty {
            try check(rw_curl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1), "HTTPGET")
            return
        }
        if method == "HEAD" && request.body.isEmpty {
            try check(rw_curl_easy_setopt_long(handle, CURLOPT_NOBODY, 1), "NOBODY")
            return
        }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            let size = curl_off_t(request.body.count)
            try check(rw_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, size), "POSTFIELDSIZE_LARGE")
            if request.body.isEmpty {
                try check(rw_curl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""), "COPYPOSTFIELDS")
            } else {
                var body = request.body
                let code = body.withUnsafeMutableBytes { bytes in
                    rw_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress)
                }
                try check(code, "COPYPOSTFIELDS")
            }
        }
        if method != "POST" {
            try check(rw_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method), "CUSTOMREQUEST")
        }
    }

    /// Builds the request header list: the caller's headers exactly as given, nothing of libcurl's.
    ///
    /// libcurl would add `Accept: */*`, a form `Content-Type` for bodies and `Expect: 100-continue`
    /// for large ones; an empty `Name:` entry removes each unless the caller set it. `Expect` is never
    /// sent: waiting for `100 Continue` costs a round trip or a one-second stall.
    private func configureHeaders(_ handle: UnsafeMutableRawPointer, for request: HTTPRequest) throws(TransportError) {
        var lines: [String] = []
        for header in request.headers where header.name.lowercased() != "expect" {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(Self.isTokenByte) else {
                throw .invalidRequest("header name is not a token: \(header.name.debugDescription)")
            }
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .invalidRequest("header \(header.name) has a line break in its value")
            }
            // "Name;" is libcurl's spelling for a header sent with an empty value.
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        for name in ["Accept", "Content-Type"] where request.header(name) == nil {
            lines.append("\(name):")
        }
        lines.append("Expect:")
        for line in lines {
            guard let list = curl_slist_append(requestHeaders, line) else {
                throw .other("curl_slist_append failed")
            }
            requestHeaders = list
        }
        try check(rw_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, requestHeaders), "HTTPHEADER")
    }

    /// Turns a refused option into `.invalidRequest`, naming the option and libcurl's reason.
    private func check(_ code: CURLcode, _ option: String) throws(TransportError) {
        guard code == CURLE_OK else {
            throw .invalidRequest("libcurl refused CURLOPT_\(option): \(CurlCodeMapping.describe(code))")
        }
    }

    /// A timeout in whole milliseconds, at least 1: libcurl reads 0 as "no timeout".
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 1 }
        guard seconds < Int64(Int.max / 1000 - 1) else { return Int.max / 1000 }
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// Whether `byte` may appear in an HTTP token (RFC 9110 `tchar`): method names and header names.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
