import AlibabaCloud
import Foundation
import RootwatchTestSupport
import Synchronization
import Testing

/// Shared fixtures for the AlibabaCloud tests: a client wired to scripted fakes, and a server-side
/// signature check computed from the captured request the way the gateway would.
struct Harness {
    static let key = AccessKeyCredential(accessKeyID: "LTAI5tTESTKEY0001", accessKeySecret: "testsecret-value")
    static let imsEndpoint = try! Endpoint("https://ims.aliyuncs.com")

    let transport = ScriptedTransport()
    let sleeper = RecordingSleeper()

    /// An RPC client with fixed jitter (0.5 → delay = 75 % of the back-off ceiling) and nonces n1, n2, ….
    func client(
        _ version: SignatureVersion = .v3,
        credential: AccessKeyCredential = Harness.key,
        retry: RetryPolicy = RetryPolicy(jitter: { 0.5 }),
        caFile: String? = nil
    ) -> RPCClient {
        let counter = Counter()
        let sleeper = sleeper
        return RPCClient(
            account: "prod", transport: transport, credentials: StaticCredentialProvider(credential),
            options: .init(signatureVersion: version, retryPolicy: retry, caFile: caFile), sleeper: sleeper,
            now: { sleeper.now() }, nonce: { "n\(counter.next())" })
    }
}

/// A thread-safe counter for deterministic nonces.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}

/// The decoded query of a captured request, by name.
func queryParameters(_ request: HTTPRequest) -> [String: String] {
    guard let mark = request.url.firstIndex(of: "?") else { return [:] }
    let pairs = PercentEncoding.parseQuery(String(request.url[request.url.index(after: mark)...])) ?? []
    return Dictionary(pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
}

/// Verifies a captured V1 request as the server does: recompute over every query parameter but
/// `Signature` with the secret, compare.
func verifyV1(_ request: HTTPRequest, secret: String) -> Bool {
    var parameters = queryParameters(request)
    guard let sent = parameters.removeValue(forKey: "Signature") else { return false }
    let canonical = parameters.map { (PercentEncoding.encode($0.key), PercentEncoding.encode($0.value)) }
        .sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    let stringToSign = "\(request.method)&%2F&" + PercentEncoding.encode(canonical)
    let mac = Digest.hmacSHA1(key: Array((secret + "&").utf8), data: Array(stringToSign.utf8))
    return Data(mac).base64EncodedString() == sent
}

/// Verifies a captured V3 request as the server does: rebuild the canonical request from the
/// headers named in `SignedHeaders`, recompute the HMAC, compare; also checks the payload hash header.
func verifyV3(_ request: HTTPRequest, accessKeyID: String, secret: String) -> Bool {
    guard let authorization = request.header("authorization"),
        authorization.hasPrefix("ACS3-HMAC-SHA256 ")
    else { return false }
    var fields: [String: String] = [:]
    for part in authorization.dropFirst("ACS3-HMAC-SHA256 ".count).split(separator: ",") {
        let kv = part.split(separator: "=", maxSplits: 1)
        if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
    }
    guard fields["Credential"] == accessKeyID, let signedHeaders = fields["SignedHeaders"],
        let sent = fields["Signature"]
    else { return false }
    let names = signedHeaders.split(separator: ";").map(String.init)
    let canonicalHeaders = names.map { "\($0):\(request.header($0) ?? "<missing>")\n" }.joined()
    let canonicalQuery = queryParameters(request)
        .map { (PercentEncoding.encode($0.key), PercentEncoding.encode($0.value)) }
        .sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    let payloadHash = Digest.sha256Hex(request.body)
    guard request.header("x-acs-content-sha256") == payloadHash else { return false }
    let canonicalRequest = [request.method, "/", canonicalQuery, canonicalHeaders, signedHeaders, payloadHash]
        .joined(separator: "\n")
    let stringToSign = "ACS3-HMAC-SHA256\n" + Digest.sha256Hex(canonicalRequest)
    let mac = Digest.hmacSHA256(key: Array(secret.utf8), data: Array(stringToSign.utf8))
    return Digest.hex(mac) == sent
}

/// The `x-acs-action` (V3) or `Action` (V1) of a captured request.
func action(of request: HTTPRequest) -> String? {
    request.header("x-acs-action") ?? queryParameters(request)["Action"]
}
