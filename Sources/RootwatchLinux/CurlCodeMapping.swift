import AlibabaCloud
import CCurl

/// Translates libcurl result codes into `TransportError`, the retry-aware vocabulary callers use.
///
/// The grouping decides retries: a refused or reset connection may heal, a timeout may pass, but a
/// certificate that does not verify or a malformed URL will fail the same way next time.
enum CurlCodeMapping {
    /// libcurl's own one-line description of `code`.
    static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }

    /// The error for a failed transfer; `detail` is the text from `CURLOPT_ERRORBUFFER`, which names
    /// the host and the system error where the generic description cannot.
    static func error(for code: CURLcode, detail: String) -> TransportError {
        let trimmed = detail.trimmingTrailingNewlines()
        var message = "curl \(code.rawValue): \(describe(code))"
        if !trimmed.isEmpty {
            message += ": \(trimmed)"
        }
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
            CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING,
            CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_HTTP3, CURLE_QUIC_CONNECT_ERROR, CURLE_PROXY:
            return .connect(message)
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_USE_SSL_FAILED, CURLE_SSL_CLIENTCERT:
            return .tls(message)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT,
            CURLE_NOT_BUILT_IN:
            return .invalidRequest(message)
        case CURLE_ABORTED_BY_CALLBACK:
            return .cancelled
        default:
            return .other(message)
        }
    }
}

extension String {
    /// The string without the line break libcurl leaves at the end of some error-buffer messages.
    fileprivate func trimmingTrailingNewlines() -> String {
        var result = Substring(self)
        while let last = result.last, last == "\n" || last == "\r" {
            result = result.dropLast()
        }
        return String(result)
    }
}
