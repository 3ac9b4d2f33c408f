import AlibabaCloud
import CCurl
import Synchronization

/// One request in flight: its libcurl easy handle and the buffers the C callbacks fill.
///
/// Ownership moves one way. `CurlTransport.send` builds the transfer and hands it to the loop thread
/// through the loop's mutex; from then on only that thread touches the handle and the buffers, until
/// it closes the handle and resumes the caller with a finished `HTTPResponse`. That hand-off is why
/// the class is `@unchecked Sendable`: `cancelRequested` is the one field two threads share, and it
/// is atomic.
final class CurlTransfer: @unchecked Sendable {
    /// The easy handle; nil once `close()` has released it.
    private(set) var handle: UnsafeMutableRawPointer?
    /// The request headers as libcurl wants them; must outlive the transfer.
    var requestHeaders: UnsafeMutablePointer<curl_slist>?
    /// `CURLOPT_ERRORBUFFER`: libcurl writes the specific failure text here.
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The response body cap; the write callback refuses more and the transfer fails.
    let maxBodyBytes: Int
    private var body: [UInt8] = []
    private var headers: [(name: String, value: String)] = []
    private var bodyTooLarge = false
    /// Set by the caller's cancellation handler; the loop thread checks it before starting the transfer.
    let cancelRequested = Atomic<Bool>(false)

    /// Builds the easy handle for `request`; throws `.invalidRequest` when libcurl refuses an option.
    init(request: HTTPRequest, maxBodyBytes: Int) throws(TransportError) {
        try CurlGlobal.ensureInitialized()
        guard let handle = curl_easy_init() else {
            throw .other("curl_easy_init failed")
        }
        self.handle = handle
        self.maxBodyBytes = maxBodyBytes
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try configure(handle, for: request)
    }

    deinit {
        close()
        errorBuffer.deallocate()
    }

    /// Releases the easy handle and the header list; the handle must no longer be in a multi handle.
    func close() {
        if let handle {
            curl_easy_cleanup(handle)
            self.handle = nil
        }
        if let requestHeaders {
            curl_slist_free_all(requestHeaders)
            self.requestHeaders = nil
        }
    }

    /// The outcome once libcurl reported `code` for this transfer: the response, or why there is none.
    func outcome(_ code: CURLcode) -> Result<HTTPResponse, TransportError> {
        if bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return .failure(.other("response body larger than \(maxBodyBytes) bytes"))
        }
        guard code == CURLE_OK, let handle else {
            return .failure(CurlCodeMapping.error(for: code, detail: String(cString: errorBuffer)))
        }
        var status = 0
        _ = rw_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var response = HTTPResponse(status: status)
        response.headers = headers
        swap(&response.body, &body)
        return .success(response)
    }

    /// Write-callback body: appends response bytes, or refuses them past the cap (which fails the transfer).
    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard body.count + bytes.count <= maxBodyBytes else {
            bodyTooLarge = true
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    /// Header-callback body: records one header line of the response.
    ///
    /// libcurl reports the header block of every response it reads: interim `1xx`, redirects,
    /// a proxy's `CONNECT` answer. Each new status line starts the list again, so only the final
    /// response's headers remain. Names are lower-cased; folded continuation lines join the value.
    fileprivate func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Int {
        let line = String(decoding: bytes, as: UTF8.self).trimmingHeaderWhitespace()
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
        } else if let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            if let last = headers.popLast(), !line.isEmpty {
                headers.append((name: last.name, value: last.value + " " + line))
            }
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = String(line[line.index(after: colon)...]).trimmingHeaderWhitespace()
            headers.append((name: name, value: value))
        }
        return bytes.count
    }
}

/// `CURLOPT_WRITEFUNCTION`: the transfer arrives as `userdata` (unretained; the loop keeps it alive).
let curlWriteBody: curl_write_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.appendBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

/// `CURLOPT_HEADERFUNCTION`: called once per header line, status line and final blank line included.
let curlReceiveHeader: curl_write_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks (HTTP's optional whitespace).
    fileprivate func trimmingHeaderWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
