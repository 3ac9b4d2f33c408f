/// Turns an HTTP response into a decoded body or a typed `AlibabaCloudError`.
///
/// Error shape as the official SDK reads it (`alibabacloud_tea_openapi/client.py`): keys
/// `Code|code`, `Message|message`, `RequestId|requestId`; HTTP 4xx and 5xx are errors.
/// Codes are classified before statuses because the gateway reports throttling and signature
/// problems as plain HTTP 400 (alibaba-api.md §1.5). The request ID falls back to the
/// `x-acs-request-id` header, which the gateway sends with every answer, so a body that is cut off
/// or is a proxy's HTML page still yields an ID for the support ticket.
package enum RPCResponseDecoder {
    /// Decodes `response` for `action`; `credential` is only used to scrub its secrets from messages.
    package static func decode(
        _ response: HTTPResponse,
        account: String,
        action: String,
        credential: AccessKeyCredential
    ) -> Result<RPCResponse, AlibabaCloudError> {
        let json = try? JSONValue.parse(response.body)
        let requestID =
            (json?["RequestId"] ?? json?["requestId"])?.stringValue ?? response.header("x-acs-request-id")
        if (200..<300).contains(response.status) {
            guard let json, json.objectValue != nil else {
                return .failure(
                    AlibabaCloudError(
                        kind: .malformedResponse("body is not a JSON object (\(response.body.count) bytes)"),
                        account: account, action: action, requestID: requestID, httpStatus: response.status))
            }
            return .success(RPCResponse(body: json, requestID: requestID, status: response.status))
        }
        let code = (json?["Code"] ?? json?["code"])?.stringValue
        let message = (json?["Message"] ?? json?["message"])?.stringValue.map { sanitize($0, credential: credential) }
        let kind = classify(status: response.status, code: code, headers: response)
        return .failure(
            AlibabaCloudError(
                kind: kind, account: account, action: action, requestID: requestID, code: code,
                httpStatus: response.status,
                message: message ?? (json == nil && !response.body.isEmpty ? "response body is not JSON" : nil)))
    }

    /// Maps an error code and status to a kind.
    package static func classify(status: Int, code: String?, headers: HTTPResponse) -> AlibabaCloudError.Kind {
        let code = code ?? ""
        if code.hasPrefix("Throttling") || status == 429 {
            return .throttled(retryAfter: RetryPolicy.retryAfter(headerValue: headers.header("x-acs-retry-after")))
        }
        if code == "SignatureDoesNotMatch" || code == "IncompleteSignature" || code.hasPrefix("InvalidTimeStamp")
            || code == "SignatureNonceUsed"
        {
            return .signatureRejected
        }
        if code.hasPrefix("InvalidAccessKeyId") || code.hasPrefix("InvalidSecurityToken") {
            return .credentialRejected
        }
        if code.hasPrefix("Forbidden") || code.hasPrefix("NoPermission") || status == 403 {
            return .forbidden
        }
        if status >= 500 { return .server }
        return .client
    }

    /// Removes secrets a server message may echo (the string to sign in `SignatureDoesNotMatch`
    /// carries the AccessKey ID and STS token), masks the AccessKey ID, and keeps one short line.
    package static func sanitize(_ message: String, credential: AccessKeyCredential) -> String {
        var text = message
        var secrets = [credential.accessKeySecret]
        if let token = credential.securityToken {
            let once = PercentEncoding.encode(token)
            secrets += [token, once, PercentEncoding.encode(once)]
        }
        for secret in secrets where secret.count >= 4 {
            text = text.replacing(secret, with: "****")
        }
        if credential.accessKeyID.count > 8 {
            text = text.replacing(credential.accessKeyID, with: credential.maskedID)
        }
        text = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        if text.count > 300 { text = String(text.prefix(300)) + "…" }
        return text
    }
}
