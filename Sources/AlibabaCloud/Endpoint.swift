/// The base URL of an Alibaba Cloud API, as configured: `https://ims.aliyuncs.com`,
/// `http://127.0.0.1:8123`.
///
/// The scheme is kept as given: whether plain HTTP is acceptable is the configuration's decision,
/// not the client's. RPC calls always go to `/`, so a base URL may carry no path, query or user info.
package struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`.
    package let scheme: String
    /// `host` or `host:port`, exactly as the `host` header is sent and signed.
    package let authority: String

    /// Why a base URL was refused.
    package struct InvalidEndpoint: Error, Sendable, Equatable, CustomStringConvertible {
        package let url: String
        package let reason: String
        package init(url: String, reason: String) {
            self.url = url
            self.reason = reason
        }
        package var description: String { "invalid endpoint \"\(url)\": \(reason)" }
    }

    /// Parses a base URL; a single trailing `/` is allowed.
    package init(_ baseURL: String) throws(InvalidEndpoint) {
        let lower = baseURL.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") {
            scheme = "https"
        } else if lower.hasPrefix("http://") {
            scheme = "http"
        } else {
            throw InvalidEndpoint(url: baseURL, reason: "must start with https:// or http://")
        }
        var rest = Substring(baseURL.dropFirst(scheme.count + 3))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty else { throw InvalidEndpoint(url: baseURL, reason: "no host") }
        guard !rest.contains(where: { "/?#@ \t".contains($0) }) else {
            throw InvalidEndpoint(url: baseURL, reason: "only scheme, host and port are allowed")
        }
        self.scheme = scheme
        self.authority = String(rest)
    }

    /// `scheme://authority`.
    package var baseURL: String { "\(scheme)://\(authority)" }

    package var description: String { baseURL }

    /// Substitutes `{region}` in a configured template such as `https://actiontrail.{region}.aliyuncs.com`.
    package static func expand(_ template: String, region: String) -> String {
        template.replacing("{region}", with: region)
    }

    /// The official endpoints, used when the configuration names none.
    package static let defaultIMS = "https://ims.aliyuncs.com"
    package static let defaultSTS = "https://sts.aliyuncs.com"
    package static let defaultActionTrail = "https://actiontrail.{region}.aliyuncs.com"
}
