import FoundationEssentials

/// Which URLs a configuration key accepts: `https://` anywhere, plain `http://` only for loopback
/// (127.0.0.0/8, `::1`, `localhost`), so alerts and signed requests never cross a network in clear text.
package struct EndpointPolicy: Sendable {
    /// Hosts besides loopback that may use plain `http://`.
    var plainHTTPHosts: Set<String> = []
    /// Whether `{region}` may appear in the host (the ActionTrail endpoint template).
    var allowsRegionPlaceholder = false

    /// Service endpoints and webhook URLs.
    package static let standard = EndpointPolicy()
    /// `[endpoints] actiontrail`: a template with `{region}`.
    package static let regionTemplate = EndpointPolicy(allowsRegionPlaceholder: true)
    /// `[endpoints] metadata`: the ECS metadata service speaks only plain HTTP at its fixed address.
    package static let metadataService = EndpointPolicy(plainHTTPHosts: ["100.100.100.200"])

    /// Why `text` is not acceptable (completing `"<url>" …`), or nil when it is.
    package func problem(with text: String) -> String? {
        var candidate = text
        if allowsRegionPlaceholder {
            candidate = candidate.replacing(EndpointConfiguration.actiontrailRegionPlaceholder, with: "cn-hangzhou")
        }
        guard candidate.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            return "is not a URL: it contains a space or a control character"
        }
        guard let components = URLComponents(string: candidate), let host = components.host, !host.isEmpty else {
            return "is not a URL"
        }
        switch components.scheme?.lowercased() {
        case "https": return nil
        case "http":
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            if Self.isLoopback(bare) || plainHTTPHosts.contains(bare) { return nil }
            return "uses plain http:// for a host that is not loopback (127.0.0.0/8, ::1, localhost): use https://"
        default:
            return "is not an https:// URL"
        }
    }

    /// `localhost`, `::1`, or a dotted IPv4 address in 127.0.0.0/8.
    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            octet.count <= 3 && UInt8(octet) != nil
        }
    }
}

/// Path segments after which everything is a token (Slack `/services/`, Lark `/hook/`, Teams `/workflows/`).
private let tokenPathMarkers: Set<String> = ["hooks", "hook", "services", "workflows"]
/// Query parameters that carry credentials (DingTalk `access_token`/`sign`, WeCom `key`, Teams `sig`).
private let tokenQueryNames: Set<String> = ["access_token", "key", "sig", "sign", "token"]

/// A webhook or endpoint URL as it may be shown: user info, token path segments and token query values
/// replaced by `****`, the fragment dropped. Many webhook URLs are themselves the credential.
package func maskURL(_ text: String) -> String {
    guard let components = URLComponents(string: text), let scheme = components.scheme,
        let host = components.percentEncodedHost
    else { return "****" }
    var masked = scheme + "://"
    if components.percentEncodedUser != nil || components.percentEncodedPassword != nil { masked += "****@" }
    masked += host
    if let port = components.port { masked += ":\(port)" }

    var afterMarker = false
    let segments = components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false)
    masked += segments.map { segment -> String in
        if afterMarker && !segment.isEmpty { return "****" }
        if tokenPathMarkers.contains(segment.lowercased()) { afterMarker = true }
        return String(segment)
    }.joined(separator: "/")

    if let query = components.percentEncodedQuery {
        masked += "?"
        masked += query.split(separator: "&", omittingEmptySubsequences: false).map { item -> String in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, tokenQueryNames.contains(parts[0].lowercased()) else { return String(item) }
            return parts[0] + "=****"
        }.joined(separator: "&")
    }
    return masked
}
