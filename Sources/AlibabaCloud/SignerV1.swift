import FoundationEssentials

/// Signs RPC requests with HMAC-SHA1, wire parameter `SignatureVersion=1.0` (the scheme Alibaba's
/// documentation calls "signature method V2").
///
/// Pure: the caller supplies the date and nonce, so golden vectors can be asserted at fixed instants.
/// Every intermediate string is returned so tests can compare each step with the vendor's.
/// Algorithm: https://help.aliyun.com/document_detail/157269.html
/// (English: https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism).
package enum SignerV1 {
    /// The outcome of signing, with the intermediate strings.
    package struct Signed: Sendable, Equatable {
        /// Every parameter that was signed (API, common and credential parameters), without `Signature`.
        package var parameters: [String: String]
        /// Step 3: encoded, sorted `name=value` pairs joined with `&`.
        package var canonicalizedQueryString: String
        /// Step 4: `METHOD&%2F&percentEncode(CanonicalizedQueryString)`.
        package var stringToSign: String
        /// Step 5: base64 of HMAC-SHA1 under `secret + "&"`.
        package var signature: String
        /// What goes after `?` on the wire: the canonicalized query string plus `&Signature=…`.
        package var queryString: String
    }

    /// Adds the common parameters (`AccessKeyId`, `SignatureMethod`, `SignatureNonce`,
    /// `SignatureVersion`, `Timestamp`, and `SecurityToken` for STS credentials) to `parameters`
    /// and signs the result.
    ///
    /// `parameters` carries `Action`, `Version`, `Format` and the API's own parameters.
    /// Common parameters: https://help.aliyun.com/document_detail/157269.html ("公共请求参数").
    package static func sign(
        method: String,
        parameters: [String: String],
        credential: AccessKeyCredential,
        date: Date,
        nonce: String
    ) -> Signed {
        var all = parameters
        all["AccessKeyId"] = credential.accessKeyID
        all["SignatureMethod"] = "HMAC-SHA1"
        all["SignatureNonce"] = nonce
        all["SignatureVersion"] = "1.0"
        all["Timestamp"] = UTCTimestamp.format(date)
        if let token = credential.securityToken {
            // STS credentials: the token travels as a signed query parameter (SDK `do_rpcrequest`).
            all["SecurityToken"] = token
        }
        return sign(method: method, completeParameters: all, secret: credential.accessKeySecret)
    }

    /// Signs a parameter set that already holds every common parameter; the vendor's worked example
    /// is stated this way.
    package static func sign(method: String, completeParameters: [String: String], secret: String) -> Signed {
        var parameters = completeParameters
        // Step 1: every parameter except Signature itself.
        parameters["Signature"] = nil
        // Steps 2-3: RFC 3986 encode names and values, sort by encoded name, join with "&".
        let canonical = PercentEncoding.canonicalQuery(parameters)
        // Step 4: StringToSign = HTTPMethod + "&" + percentEncode("/") + "&" + percentEncode(canonical).
        let stringToSign =
            method.uppercased() + "&" + PercentEncoding.encode("/") + "&"
            + PercentEncoding.encode(canonical)
        // Step 5: Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).
        let mac = Digest.hmacSHA1(key: Array((secret + "&").utf8), data: Array(stringToSign.utf8))
        let signature = Digest.base64(mac)
        // Step 6: add Signature, percent-encoded, to the query that is sent.
        let query = canonical + "&Signature=" + PercentEncoding.encode(signature)
        return Signed(
            parameters: parameters,
            canonicalizedQueryString: canonical,
            stringToSign: stringToSign,
            signature: signature,
            queryString: query
        )
    }
}
