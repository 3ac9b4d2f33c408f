import FoundationEssentials

/// Signs requests with `ACS3-HMAC-SHA256`, the V3 request signature the current SDKs use by default.
///
/// Pure: the caller supplies the date and nonce through the headers it passes, so golden vectors are
/// asserted at fixed instants. Every intermediate string is returned so tests can compare each step.
/// Algorithm: https://help.aliyun.com/document_detail/2593177.html
/// (English: https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature).
package enum SignerV3 {
    /// The algorithm name, first line of the string to sign and prefix of `Authorization`.
    package static let algorithm = "ACS3-HMAC-SHA256"

    /// The outcome of signing, with the intermediate strings.
    package struct Signed: Sendable, Equatable {
        /// Step 1, line 3: encoded, sorted query parameters.
        package var canonicalQueryString: String
        /// Step 1, line 4: `name:value\n` for each signed header, sorted.
        package var canonicalHeaders: String
        /// Step 1, line 5: the signed header names joined with `;`.
        package var signedHeaders: String
        /// Step 1: the whole canonical request.
        package var canonicalRequest: String
        /// Step 2: lower-case hex SHA-256 of the canonical request.
        package var hashedCanonicalRequest: String
        /// Step 2: `ACS3-HMAC-SHA256\n` + hashed canonical request.
        package var stringToSign: String
        /// Step 3: lower-case hex HMAC-SHA256 under the AccessKey secret (no `&` suffix in V3).
        package var signature: String
        /// Step 4: the `Authorization` header value.
        package var authorization: String
    }

    /// The headers a V3 RPC request carries before signing: `host`, `x-acs-action`, `x-acs-version`,
    /// `x-acs-date`, `x-acs-signature-nonce`, `x-acs-content-sha256`, and for STS credentials
    /// `x-acs-accesskey-id` and `x-acs-security-token` (as the SDK's `do_request` sends them).
    ///
    /// `host` is the endpoint's authority, port included when the endpoint names one, because that is
    /// what the HTTP client sends and the server verifies.
    /// Headers: https://help.aliyun.com/document_detail/2593177.html ("公共请求头").
    package static func requestHeaders(
        host: String,
        action: String,
        version: String,
        date: Date,
        nonce: String,
        body: [UInt8],
        credential: AccessKeyCredential,
        contentType: String? = nil
    ) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("host", host),
            ("x-acs-action", action),
            ("x-acs-version", version),
            ("x-acs-date", UTCTimestamp.format(date)),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-content-sha256", Digest.sha256Hex(body)),
        ]
        if let contentType { headers.append(("content-type", contentType)) }
        if let token = credential.securityToken {
            headers.append(("x-acs-accesskey-id", credential.accessKeyID))
            headers.append(("x-acs-security-token", token))
        }
        return headers
    }

    /// Signs a request whose headers are all present (see `requestHeaders`); returns the strings and
    /// the `Authorization` value to add.
    ///
    /// Headers named `host`, `content-type` or starting with `x-acs-` are signed; others are not.
    package static func sign(
        method: String,
        path: String = "/",
        query: [String: String],
        headers: [(name: String, value: String)],
        body: [UInt8],
        credential: AccessKeyCredential
    ) -> Signed {
        // CanonicalURI: "RPC风格API使用正斜杠(/)作为CanonicalURI".
        let canonicalURI = path.isEmpty ? "/" : path
        // CanonicalQueryString: RFC 3986 encode, sort by name, "对于没有值的参数使用空字符串".
        let canonicalQuery = PercentEncoding.canonicalQuery(query)
        // CanonicalHeaders: host, content-type and x-acs-*; lower-case names, trimmed values, sorted.
        let signed =
            headers
            .map { (name: $0.name.lowercased(), value: trimmed($0.value)) }
            .filter { $0.name == "host" || $0.name == "content-type" || $0.name.hasPrefix("x-acs-") }
            .sorted { $0.name < $1.name }
        let canonicalHeaders = signed.map { "\($0.name):\($0.value)\n" }.joined()
        // SignedHeaders: the same names joined with ";".
        let signedHeaders = signed.map(\.name).joined(separator: ";")
        // HashedRequestPayload: hex SHA-256 of the body ("" when there is none).
        let payloadHash = Digest.sha256Hex(body)
        let canonicalRequest = [
            method.uppercased(), canonicalURI, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        // Step 2: StringToSign = Algorithm + "\n" + hex(SHA-256(CanonicalRequest)).
        let hashed = Digest.sha256Hex(canonicalRequest)
        let stringToSign = algorithm + "\n" + hashed
        // Step 3: Signature = hex(HMAC-SHA256(AccessKeySecret, StringToSign)).
        let signature = Digest.hex(
            Digest.hmacSHA256(key: Array(credential.accessKeySecret.utf8), data: Array(stringToSign.utf8)))
        // Step 4: Authorization header.
        let authorization =
            "\(algorithm) Credential=\(credential.accessKeyID),SignedHeaders=\(signedHeaders),Signature=\(signature)"
        return Signed(
            canonicalQueryString: canonicalQuery,
            canonicalHeaders: canonicalHeaders,
            signedHeaders: signedHeaders,
            canonicalRequest: canonicalRequest,
            hashedCanonicalRequest: hashed,
            stringToSign: stringToSign,
            signature: signature,
            authorization: authorization
        )
    }

    private static func trimmed(_ value: String) -> String {
        var slice = Substring(value)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
