import AlibabaCloud
import FoundationEssentials

/// The three signing recipes of webhooks.md, as pure functions of secret, time and bytes.
///
/// Each platform hides a trap (Standard Webhooks keys are base64-decoded, DingTalk's signature must be
/// URL-encoded exactly once, Lark's string-to-sign is the HMAC *key* and the message is empty), so
/// each recipe lives here once, tested against the vectors of webhooks.md §9.
package enum WebhookSigning {
    /// The HMAC key of a Standard Webhooks secret: base64-decode what follows `whsec_` (the prefix is
    /// optional, padding may be missing — as the official library accepts).
    ///
    /// See webhooks.md §1.2 step 2: the key is *not* the ASCII of the secret string.
    package static func standardKey(secret: String) throws(WebhookRenderError) -> [UInt8] {
        var text = secret.hasPrefix("whsec_") ? String(secret.dropFirst("whsec_".count)) : secret
        let remainder = text.utf8.count % 4
        if remainder == 2 || remainder == 3 { text += String(repeating: "=", count: 4 - remainder) }
        guard let key = Digest.base64Decode(text), !key.isEmpty else {
            throw WebhookRenderError(
                "the signing secret is not a Standard Webhooks secret (expected whsec_ followed by base64)")
        }
        return key
    }

    /// The `webhook-signature` header value: `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`,
    /// one entry per key, space-delimited (the new key first during a rotation, webhooks.md §1.2 step 5).
    package static func standardSignature(id: String, timestamp: Int64, body: [UInt8], keys: [[UInt8]]) -> String {
        let message = Array("\(id).\(timestamp).".utf8) + body
        return keys.map { "v1," + Digest.base64(Digest.hmacSHA256(key: $0, data: message)) }.joined(separator: " ")
    }

    /// DingTalk 加签, raw base64: `HMAC-SHA256(key = secret, message = "{ms}\n{secret}")`
    /// (webhooks.md §2.2). Not yet URL-encoded: see `dingTalkQuery`.
    package static func dingTalkSignature(secret: String, timestampMilliseconds: Int64) -> String {
        let message = "\(timestampMilliseconds)\n\(secret)"
        return Digest.base64(Digest.hmacSHA256(key: Array(secret.utf8), data: Array(message.utf8)))
    }

    /// The query parameters DingTalk 加签 appends to the robot URL, encoded exactly once:
    /// `timestamp=<ms>&sign=<%-encoded base64>` (`+` → `%2B`, `/` → `%2F`, `=` → `%3D`; a raw `+`
    /// would reach DingTalk as a space and fail with 310000).
    package static func dingTalkQuery(secret: String, timestampMilliseconds: Int64) -> String {
        let sign = dingTalkSignature(secret: secret, timestampMilliseconds: timestampMilliseconds)
        return "timestamp=\(timestampMilliseconds)&sign=\(PercentEncoding.encode(sign))"
    }

    /// Lark/Feishu 签名校验: `base64(HMAC-SHA256(key = "{seconds}\n{secret}", message = ""))`
    /// (webhooks.md §3.2: the vendor's sample code makes the string-to-sign the key).
    package static func larkSignature(secret: String, timestampSeconds: Int64) -> String {
        let key = "\(timestampSeconds)\n\(secret)"
        return Digest.base64(Digest.hmacSHA256(key: Array(key.utf8), data: []))
    }

    /// Whole seconds since the epoch of `date`, rounded down (the Standard Webhooks and Lark unit).
    package static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// Whole milliseconds since the epoch of `date`, rounded down (DingTalk's unit).
    package static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}
