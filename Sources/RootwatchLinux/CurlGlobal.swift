import AlibabaCloud
import CCurl

/// libcurl's process-wide initialisation, done once before the first handle is made.
///
/// `curl_global_init` sets up OpenSSL and the resolver; it must run before any other libcurl call
/// and only once per process. A Swift `static let` is initialised lazily under `swift_once`, which
/// gives exactly that, whichever thread asks first.
enum CurlGlobal {
    /// The result of the one `curl_global_init` call; `CURLE_OK` when libcurl is usable.
    static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Initialises libcurl if nobody has yet, and reports whether it is usable.
    static func ensureInitialized() throws(TransportError) {
        guard initResult == CURLE_OK else {
            throw .other("libcurl initialisation failed: \(CurlCodeMapping.describe(initResult))")
        }
    }
}
